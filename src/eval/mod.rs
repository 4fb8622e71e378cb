//! Evaluation: cases loaded against the schema, expressions evaluated with
//! Kleene logic, rules run into outcomes for the decision.

pub mod model;
pub mod truth;
pub mod value;
pub mod ops;
pub mod case;
pub mod aggregate;
pub mod expr;
pub mod history;
pub mod series;
pub mod rules;
