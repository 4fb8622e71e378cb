//! The problems loading finds, each built in one place: imports and test
//! case files that leave the root (S0202), cannot be found or followed (S0201), close a cycle
//! (S0203) or bring more than vocabulary (S0206), and files that cannot be
//! read (S0008).

use std::io;
use std::path::{Component, Path};

use super::{describe, Loader};
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::span::{FileId, Span, Spanned};
use crate::syntax::ast;

/// What a path written in a protocol names: both stay inside the root (S0202).
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// `import "…"`
    Import,
    /// A test's `from "…"`.
    TestCase,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Import => "import",
            Kind::TestCase => "test case file",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Import => "imports",
            Kind::TestCase => "test case files",
        }
    }

    fn file(self) -> &'static str {
        match self {
            Kind::Import => "shared file",
            Kind::TestCase => "case file",
        }
    }

    fn resolved_from(self) -> &'static str {
        match self {
            Kind::Import => "importing file",
            Kind::TestCase => "protocol",
        }
    }
}

impl Loader {
    /// S0202 for a `..` that climbs out of the root.
    pub(super) fn escape(&self, path: &Spanned<String>, kind: Kind) -> Diagnostic {
        Diagnostic::new(
            Code::S0202,
            path.span,
            format!("{} `{}` leaves the root folder", kind.name(), path.node),
        )
        .label(if climbs(&path.node) {
            "`..` climbs out of the root"
        } else {
            "this is outside the root folder"
        })
        .note(self.root_note(kind))
        .help(format!(
            "move the {} inside the root, or give a wider `--root`",
            kind.file()
        ))
    }

    /// S0202 for a path inside the root that a symlink sends outside it.
    pub(super) fn symlink_escape(
        &self,
        path: &Spanned<String>,
        kind: Kind,
        target: &Path,
    ) -> Diagnostic {
        Diagnostic::new(
            Code::S0202,
            path.span,
            format!("{} `{}` leaves the root folder", kind.name(), path.node),
        )
        .label("a symlink points outside the root")
        .note(format!("it resolves to `{}`", target.display()))
        .note(self.root_note(kind))
        .help(format!(
            "copy the {} inside the root, or give a wider `--root`",
            kind.file()
        ))
    }

    fn root_note(&self, kind: Kind) -> String {
        format!(
            "{} must stay inside the root folder `{}`",
            kind.plural(),
            self.root_shown
        )
    }

    /// S0203 at the import that reaches `chain[at]` again.
    pub(super) fn cycle(&self, at: usize, import: &ast::Import) -> Diagnostic {
        let mut names: Vec<String> = self.chain[at..]
            .iter()
            .map(|(_, id)| format!("`{}`", self.sources.path(*id)))
            .collect();
        let first = names.first().cloned().unwrap_or_default();
        names.push(first.clone());
        Diagnostic::new(
            Code::S0203,
            import.path.span,
            format!("imports form a cycle back to {first}"),
        )
        .label("this import closes the cycle")
        .note(format!("the cycle: {}", names.join(" → ")))
        .help("move what the files share into a file that imports neither")
    }

    /// S0206 for each item of an imported file that is not vocabulary.
    pub(super) fn vocabulary_only(&mut self, file: &ast::File, id: FileId, imported_at: Span) {
        for (what, span) in file.items.iter().filter_map(non_vocabulary) {
            let span = first_line(span, self.sources.text(id));
            let message = format!("imported file `{}` holds {what}", self.sources.path(id));
            let diagnostic = Diagnostic::new(Code::S0206, span, message)
                .label("not vocabulary")
                .also(imported_at, "imported here")
                .note("imported files hold vocabulary only: agent, regimen, enum, reasons, record, unit and define")
                .help("move it into the protocol, or import the vocabulary from a separate file");
            self.diagnostics.push(diagnostic);
        }
    }
}

/// What a non-vocabulary item is called, with its span.
fn non_vocabulary(item: &ast::Item) -> Option<(&'static str, Span)> {
    match item {
        ast::Item::Protocol(header) => Some(("a protocol header", header.span)),
        ast::Item::Case(case) => Some(("a case schema", case.span)),
        ast::Item::Rule(rule) => Some(("a rule", rule.span)),
        ast::Item::Section(section) => Some(("a section", section.span)),
        ast::Item::Report(report) => Some(("a report", report.span)),
        ast::Item::Test(test) => Some(("a test", test.span)),
        _ => None,
    }
}

/// The part of `span` on its first line, so a long item is underlined once.
fn first_line(span: Span, text: &str) -> Span {
    let start = span.start as usize;
    let end = (span.end as usize).min(text.len());
    let line_end = text
        .get(start..end)
        .and_then(|rest| rest.find('\n'))
        .map_or(end, |at| start + at);
    Span::new(span.file, start, line_end.max(start))
}

/// S0202 for an absolute path.
pub(super) fn absolute(path: &Spanned<String>, kind: Kind) -> Diagnostic {
    Diagnostic::new(
        Code::S0202,
        path.span,
        format!("{} `{}` is an absolute path", kind.name(), path.node),
    )
    .label("absolute paths are not allowed")
    .note(format!(
        "{} are resolved relative to the {} and stay inside the root folder",
        kind.plural(),
        kind.resolved_from()
    ))
    .help("write the path relative to this file")
}

/// S0201 for a path that names no file, with a did-you-mean over the
/// `.salv` files in the folder it points into.
pub(super) fn not_found(import: &ast::Import, resolved: &Path) -> Diagnostic {
    let written = &import.path.node;
    let diagnostic = Diagnostic::new(
        Code::S0201,
        import.path.span,
        format!("imported file `{written}` not found"),
    )
    .label("no such file");
    diagnostic.suggest(suggest_file(written, resolved))
}

/// A `.salv` file in the same folder with a name close to the one written,
/// as the import would be written.
fn suggest_file(written: &str, resolved: &Path) -> Option<String> {
    let wanted = resolved.file_name()?.to_str()?;
    let names = salv_files_in(resolved.parent()?);
    let best = did_you_mean(wanted, names.iter().map(String::as_str))?;
    let prefix = written.rfind('/').map_or("", |at| &written[..=at]);
    Some(format!("{prefix}{best}"))
}

/// The names of the `.salv` files directly in `folder`.
fn salv_files_in(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".salv"))
        .collect()
}

/// S0201 for an import of an in-memory protocol.
pub(super) fn not_followed(name: &str, import: &ast::Import) -> Diagnostic {
    Diagnostic::new(
        Code::S0201,
        import.path.span,
        format!("import `{}` cannot be followed", import.path.node),
    )
    .label("imports need a protocol file on disk")
    .note(format!(
        "`{name}` was read from memory, so there is no folder to resolve imports in"
    ))
    .help("save the protocol to a file and check that file")
}

/// S0008 at an import whose file exists but cannot be read.
pub(super) fn unreadable_import(import: &ast::Import, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0008,
        import.path.span,
        format!("cannot read imported file `{}`: {reason}", import.path.node),
    )
    .label("imported here")
}

/// Whether a written path has a `..` in it.
fn climbs(written: &str) -> bool {
    Path::new(written)
        .components()
        .any(|c| c == Component::ParentDir)
}

/// S0008 for a protocol that cannot be read at all; `id` is its empty source.
pub(super) fn cannot_read(id: FileId, name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0008,
        Span::new(id, 0, 0),
        format!("cannot read `{name}`: {reason}"),
    )
}

/// S0008 for a root folder that cannot be opened (imports then all fail).
pub(super) fn cannot_open_root(id: FileId, root_dir: &Path, error: &io::Error) -> Diagnostic {
    let message = format!(
        "cannot open the root folder `{}`: {}",
        root_dir.display(),
        describe(error)
    );
    Diagnostic::new(Code::S0008, Span::new(id, 0, 0), message)
        .note("imports are resolved inside the root folder")
}
