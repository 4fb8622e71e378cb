//! One input record, as read and not yet evaluated.

use salvage::decision::output::Source;

/// One input record, not yet evaluated.
#[derive(Debug, Clone)]
pub struct Item {
    /// Where it was read from.
    pub source: Source,
    /// What was read.
    pub case: Case,
    /// How many bytes of input were read for it (blank lines and
    /// separators before it included), for the progress bar.
    pub bytes: u64,
}

/// An input record's content.
#[derive(Debug, Clone)]
pub enum Case {
    /// A line of JSON Lines or a `.json` file's one case: parsed when
    /// evaluated (in parallel).
    Text(String),
    /// An element of a `.json` file's array, with the 1-based line and
    /// column where its text starts, so that a JSON error inside it is told
    /// at its place in the file.
    Element {
        /// The element's text.
        text: String,
        /// The line of its first character.
        line: u64,
        /// The column of its first character.
        column: u64,
    },
    /// What could not be read: the message of its error record.
    Unreadable(String),
}
