//! Evaluation: cases loaded against the schema, expressions evaluated with
//! Kleene logic, rules run into outcomes for the decision.

pub mod aggregate;
mod built;
pub mod case;
mod collections;
mod dated;
mod doubling;
pub mod expr;
pub mod history;
pub mod interval;
pub mod maths;
pub mod model;
pub mod ops;
pub mod outcome;
mod points;
mod repeats;
pub mod rules;
mod runs;
pub mod series;
pub mod show;
pub mod shown;
mod stream;
mod text;
mod trends;
pub mod truth;
pub mod value;
mod view;
pub mod vocab;
