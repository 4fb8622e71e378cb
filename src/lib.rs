//! Salvage: a language and engine for clinical salvage pathways.
//!
//! Phases, each in its own module: [`syntax`] (parse) → [`check`] (names,
//! types, units) → evaluation (later) → decisions (later). [`diag`] renders
//! every phase's problems; [`project`] loads a protocol and its imports.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod decision;
pub mod diag;
pub mod eval;
pub mod project;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod units;

pub use project::{
    check_files, check_source, compile_file, compile_source, CheckReport, Compiled, SourceFile,
    Sources,
};
