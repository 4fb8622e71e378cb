//! Helpers shared by the integration tests. A test file says `mod common;`
//! and uses the parts it needs: [`cli`] runs the binary, [`engine`] compiles
//! protocols and evaluates cases through the library as the binary does,
//! [`property`] makes repeatable property-test runners, [`schema`] checks records against `docs/decision.schema.json`, [`temp`]
//! makes scratch folders, [`report`] words failures.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub mod cli;
pub mod engine;
pub mod property;
pub mod report;
pub mod schema;
pub mod temp;
