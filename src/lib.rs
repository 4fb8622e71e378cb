//! Salvage: a language and engine for clinical salvage pathways.
//!
//! Phases, each in its own module: [`span`] and [`source`] (positions,
//! files) → [`syntax`] (parse) → [`load`] (a protocol and its imports) →
//! [`check`] (names, types, units) → [`eval`] (the evaluation model, cases,
//! rules) → [`decision`] (assembly and the output record). [`diag`] holds
//! every phase's problems and the one renderer, [`units`] the unit table the
//! checker and the evaluator share, [`testing`] the runner of a protocol's
//! `test` blocks. No module imports one that imports it back;
//! `docs/architecture.md` draws the graph.
//!
//! [`compile`] is the facade the binary and the tests call: it loads, checks
//! and builds the evaluation model. Its functions are re-exported here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod compile;
pub mod decision;
pub mod diag;
pub mod eval;
pub mod load;
pub mod session;
pub mod source;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod units;

pub use compile::{
    check_files, check_source, check_text, check_tree, compile_file, compile_source, on_big_stack,
    unreadable, CheckReport, Compiled,
};
pub use source::{SourceFile, Sources};
