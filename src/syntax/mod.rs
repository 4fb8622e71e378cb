//! Syntax: the pest grammar, the AST, and the builders between them.

pub mod ast;
mod expected;
pub mod number;
mod parse;

pub use expected::{RESERVED, TOP_LEVEL};
pub use parse::parse;
