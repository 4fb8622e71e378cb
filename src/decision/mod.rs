//! Decisions: rule outcomes assembled by the brief's "Decision semantics"
//! into the output record.

mod assemble;
mod delta;
mod few;
pub mod output;
mod pass;
mod resolve;
mod run;
mod stratified;
pub mod why;

pub use run::{
    before_effective, decide, error_record, evaluate, evaluate_case, evaluate_rules, evaluate_text,
    load_text, Evaluated, RunOptions,
};

pub use assemble::{assemble, to_item, Wants};

pub use crate::eval::outcome::{ActionKind, ActionOutcome, OptionOutcome, RuleOutcome, Vocabulary};
