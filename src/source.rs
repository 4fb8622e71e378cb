//! The loaded source files, indexed by [`FileId`], and line/column lookup.
//!
//! The lowest layer with [`crate::span`]: it imports nothing else from the
//! crate, so every phase (and the renderer) can name a file and its text.

use crate::span::FileId;

/// One loaded source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as given on the command line
    /// for the protocol, root-relative with `/` for imports.
    pub path: String,
    /// The file's text, exactly as read.
    pub text: String,
}

/// Every loaded source file, indexed by [`FileId`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    /// The file with this id, if there is one.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The text of a file (empty for an unknown id).
    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map_or("", |file| file.text.as_str())
    }

    /// The shown path of a file (empty for an unknown id).
    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map_or("", |file| file.path.as_str())
    }

    /// Every file with its id, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> + '_ {
        (0u32..).map(FileId).zip(self.files.iter())
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Where each line of one text starts, so that placing an offset costs a
/// binary search rather than a scan from the start of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line and character column of byte `offset` in `text`
    /// (the text this index was built from). An offset past the end, or
    /// inside a character, counts the characters wholly before it.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|start| *start <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(0);
        let column = text
            .get(line_start..offset)
            .map_or(0, |t| t.chars().count())
            + 1;
        (line.max(1), column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_order_files_are_added() {
        let mut sources = Sources::new();
        let file = |path: &str| SourceFile {
            path: path.to_string(),
            text: format!("text of {path}"),
        };
        assert_eq!(sources.add(file("a.salv")), FileId(0));
        assert_eq!(sources.add(file("b.salv")), FileId(1));
        assert_eq!(sources.path(FileId(1)), "b.salv");
        assert_eq!(sources.text(FileId(0)), "text of a.salv");
        assert_eq!(sources.text(FileId(7)), "");
        assert_eq!(sources.len(), 2);
    }

    #[test]
    fn columns_count_characters_from_one() {
        let text = "ab\nçé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, 0), (1, 1));
        assert_eq!(index.line_column(text, 3), (2, 1));
        let x = text.find('x').unwrap_or_default();
        assert_eq!(index.line_column(text, x), (2, 4));
        assert_eq!(index.line_column(text, text.len()), (3, 1));
    }
}
