//! Loading a protocol and its imports into a [`Program`]: the first phase,
//! between the source files and the parser.
//!
//! Imports are resolved relative to the importing file and never leave the
//! root (the protocol's folder, or `--root`): an absolute path, a `..` that
//! climbs out, or a symlink pointing out is S0202. The case files of the
//! protocol's tests (`from "…"`) are resolved relative to the protocol and
//! held to the same rule. Each file is loaded once,
//! however often it is imported; an import that reaches a file still being
//! loaded closes a cycle (S0203). Imported files hold vocabulary only (S0206).
//!
//! Loading parses every file it reads; deep input needs a large stack, so
//! callers run it on one (the facade's functions do).

mod problems;

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostic;
use crate::source::{SourceFile, Sources};
use crate::span::{FileId, Span, Spanned};
use crate::syntax::ast;

use problems::{
    absolute, cannot_open_root, cannot_read, not_followed, not_found, unreadable_import, Kind,
};

/// A protocol with its imports, parsed and ready to check.
#[derive(Debug, Clone)]
pub struct Program {
    /// Every file's text.
    pub sources: Sources,
    /// The parsed files: the protocol first, then imports in the order first
    /// reached. Empty when the protocol itself could not be read.
    pub files: Vec<(FileId, ast::File)>,
    /// The folder imports may not leave.
    pub root_dir: PathBuf,
    /// How many of the last `files` are additions typed at a prompt: they
    /// count as the end of the protocol file itself, not as imports.
    pub extensions: usize,
}

/// Reads the protocol at `path` and, recursively, its imports. See the
/// module documentation for the rules; `root` defaults to the protocol's
/// folder. Call it on a thread with a large stack (the facade functions do).
pub fn load(path: &Path, root: Option<&Path>) -> (Program, Vec<Diagnostic>) {
    let loaded = Loader::run(path, root);
    (loaded.program, loaded.diagnostics)
}

/// Reads protocol text that has no file of its own (standard input), named
/// `name`: its imports (and test case files) are resolved in `root`, which
/// they may not leave, as if the protocol were a file directly inside it.
pub fn load_text(name: &str, text: &str, root: &Path) -> (Program, Vec<Diagnostic>) {
    let mut loader = Loader::new(root);
    let id = loader.sources.add(SourceFile {
        path: name.to_string(),
        text: text.to_string(),
    });
    loader.check_root(root, id);
    let path = canonical(root).join(name);
    loader.visit(path.clone(), id, None);
    loader.finish(path, root.to_path_buf()).into_pair()
}

/// Parses protocol text held in memory; its imports are not followed, and
/// each is reported (S0201) since there is no folder to resolve them in.
pub fn load_str(name: &str, text: &str) -> (Program, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile {
        path: name.to_string(),
        text: text.to_string(),
    });
    let (file, mut diagnostics) = crate::syntax::parse(id, text);
    diagnostics.extend(imports_of(&file).map(|import| not_followed(name, import)));
    let program = Program {
        sources,
        files: vec![(id, file)],
        root_dir: PathBuf::new(),
        extensions: 0,
    };
    (program, diagnostics)
}

/// Adds text typed at a prompt to a loaded program as its own source named
/// `name`, read as if written at the end of the protocol file (so it may
/// hold rules). Its imports are not followed (each is S0201). Returns what
/// parsing it found.
pub fn extend(program: &mut Program, name: &str, text: &str) -> Vec<Diagnostic> {
    let id = program.sources.add(SourceFile {
        path: name.to_string(),
        text: text.to_string(),
    });
    let (file, mut diagnostics) = crate::syntax::parse(id, text);
    diagnostics.extend(imports_of(&file).map(|import| not_followed(name, import)));
    program.files.push((id, file));
    program.extensions += 1;
    diagnostics
}

/// Loads the protocols found by searching folders: a file that another of
/// `paths` imports is loaded through that import, not on its own (so a
/// shared vocabulary file is not taken for a protocol without a header).
/// The results follow the order of `paths`.
pub fn load_tree(paths: &[PathBuf], root: Option<&Path>) -> Vec<(Program, Vec<Diagnostic>)> {
    let loaded: Vec<Loaded> = paths.iter().map(|p| Loader::run(p, root)).collect();
    let chosen = entry_points(&loaded);
    loaded
        .into_iter()
        .zip(chosen)
        .filter(|(_, chosen)| *chosen)
        .map(|(l, _)| (l.program, l.diagnostics))
        .collect()
}

/// Which loaded files to check on their own: those no other file imports,
/// then, in order, any that none of those reaches (files in an import cycle).
fn entry_points(loaded: &[Loaded]) -> Vec<bool> {
    let imported: HashSet<&PathBuf> = loaded.iter().flat_map(|l| &l.imported).collect();
    let mut chosen: Vec<bool> = loaded.iter().map(|l| !imported.contains(&l.path)).collect();
    let mut covered: HashSet<&PathBuf> = HashSet::new();
    for (l, _) in loaded.iter().zip(&chosen).filter(|(_, c)| **c) {
        covered.insert(&l.path);
        covered.extend(&l.imported);
    }
    for (l, c) in loaded.iter().zip(chosen.iter_mut()) {
        if covered.insert(&l.path) {
            *c = true;
            covered.extend(&l.imported);
        }
    }
    chosen
}

/// A program for something that could not be read at all: an empty source
/// named `name`, and the one diagnostic (S0008) saying why.
pub fn unreadable(name: &str, reason: &str) -> (Program, Vec<Diagnostic>) {
    unreadable_program(name, reason, PathBuf::new())
}

/// A program holding only an empty source named `name`, and the S0008
/// diagnostic saying why it could not be read.
fn unreadable_program(name: &str, reason: &str, root_dir: PathBuf) -> (Program, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile {
        path: name.to_string(),
        text: String::new(),
    });
    let diagnostic = cannot_read(id, name, reason);
    let program = Program {
        sources,
        files: Vec::new(),
        root_dir,
        extensions: 0,
    };
    (program, vec![diagnostic])
}

/// What loading one protocol produced, with its canonical path and those of
/// every imported file (for [`check_tree`]).
struct Loaded {
    path: PathBuf,
    program: Program,
    diagnostics: Vec<Diagnostic>,
    imported: Vec<PathBuf>,
}

impl Loaded {
    fn into_pair(self) -> (Program, Vec<Diagnostic>) {
        (self.program, self.diagnostics)
    }
}

/// A load that stopped at the protocol itself, which cannot be read.
fn unreadable_root(path: &Path, reason: &str, root_dir: PathBuf) -> Loaded {
    let shown = path.display().to_string();
    let (program, diagnostics) = unreadable_program(&shown, reason, root_dir);
    Loaded {
        path: canonical(path),
        program,
        diagnostics,
        imported: Vec::new(),
    }
}

/// The state of one load: files read so far and the chain being followed.
struct Loader {
    /// The canonical root.
    root: PathBuf,
    /// The root as given, for messages (never an absolute path the user did not write).
    root_shown: String,
    sources: Sources,
    files: Vec<(FileId, ast::File)>,
    /// Canonical path of every file read, to load each once.
    seen: HashMap<PathBuf, FileId>,
    /// The chain of files whose imports are being followed, for cycles.
    chain: Vec<(PathBuf, FileId)>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    /// Loads the protocol at `path` and everything it imports.
    fn run(path: &Path, root: Option<&Path>) -> Loaded {
        let shown = path.display().to_string();
        let root_dir = root.map_or_else(|| folder_of(path), Path::to_path_buf);
        let text = match read_text(path) {
            Ok(text) => text,
            Err(reason) => return unreadable_root(path, &reason, root_dir),
        };
        let mut loader = Loader::new(&root_dir);
        let id = loader.sources.add(SourceFile { path: shown, text });
        loader.check_root(&root_dir, id);
        let path = canonical(path);
        loader.visit(path.clone(), id, None);
        loader.finish(path, root_dir)
    }

    fn new(root_dir: &Path) -> Loader {
        let shown = root_dir.display().to_string();
        Loader {
            root: canonical(root_dir),
            root_shown: if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            },
            sources: Sources::new(),
            files: Vec::new(),
            seen: HashMap::new(),
            chain: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Reports a root folder that cannot be opened (imports then all fail).
    fn check_root(&mut self, root_dir: &Path, id: FileId) {
        if let Err(error) = std::fs::read_dir(root_dir) {
            let diagnostic = cannot_open_root(id, root_dir, &error);
            self.diagnostics.push(diagnostic);
        }
    }

    fn finish(self, path: PathBuf, root_dir: PathBuf) -> Loaded {
        let imported = self
            .seen
            .iter()
            .filter(|(_, id)| id.0 != 0)
            .map(|(path, _)| path.clone())
            .collect();
        Loaded {
            path,
            program: Program {
                sources: self.sources,
                files: self.files,
                root_dir,
                extensions: 0,
            },
            diagnostics: self.diagnostics,
            imported,
        }
    }

    /// Parses a file already added as `id`, then follows its imports.
    /// `imported_at` is the import that first reached it (none for the protocol).
    fn visit(&mut self, path: PathBuf, id: FileId, imported_at: Option<Span>) {
        let (file, diagnostics) = crate::syntax::parse(id, self.sources.text(id));
        self.diagnostics.extend(diagnostics);
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        match imported_at {
            Some(at) => self.vocabulary_only(&file, id, at),
            None => self.confine_test_files(&file, &folder),
        }
        let imports: Vec<ast::Import> = imports_of(&file).cloned().collect();
        self.files.push((id, file));
        self.seen.insert(path.clone(), id);
        self.chain.push((path, id));
        for import in &imports {
            self.follow(&folder, import);
        }
        self.chain.pop();
    }

    /// Resolves one import and loads its file unless already loaded.
    fn follow(&mut self, folder: &Path, import: &ast::Import) {
        match self.resolve(folder, import) {
            Ok(target) => self.reach(target, import),
            Err(diagnostic) => self.diagnostics.push(*diagnostic),
        }
    }

    /// Loads a resolved import: a cycle if it is being loaded, nothing if
    /// it was loaded before.
    fn reach(&mut self, target: PathBuf, import: &ast::Import) {
        if let Some(at) = self.chain.iter().position(|(p, _)| *p == target) {
            let diagnostic = self.cycle(at, import);
            self.diagnostics.push(diagnostic);
        } else if !self.seen.contains_key(&target) {
            self.read_import(target, import);
        }
    }

    /// Reads an imported file and visits it.
    fn read_import(&mut self, target: PathBuf, import: &ast::Import) {
        match read_text(&target) {
            Ok(text) => {
                let path = self.shown(&target);
                let id = self.sources.add(SourceFile { path, text });
                self.visit(target, id, Some(import.path.span));
            }
            Err(reason) => self.diagnostics.push(unreadable_import(import, &reason)),
        }
    }

    /// The canonical path an import names, or why it cannot be used.
    fn resolve(&self, folder: &Path, import: &ast::Import) -> Result<PathBuf, Box<Diagnostic>> {
        let refusal = match confine(&self.root, folder, &import.path.node) {
            Ok(target) => return Ok(target),
            Err(refusal) => refusal,
        };
        Err(Box::new(match refusal {
            Refusal::NotFound(joined) => not_found(import, &joined),
            Refusal::Unreadable(reason) => unreadable_import(import, &reason),
            refusal => self.left_root(&import.path, Kind::Import, refusal),
        }))
    }

    /// S0202 for every test case file (`from "…"`) of the protocol that
    /// leaves the root. A file that is missing or unreadable is left to the
    /// test itself, which then fails.
    fn confine_test_files(&mut self, file: &ast::File, folder: &Path) {
        let written = file.items.iter().filter_map(|item| match item {
            ast::Item::Test(ast::Test {
                source: ast::TestCase::From { file, .. },
                ..
            }) => Some(file),
            _ => None,
        });
        let refused: Vec<Diagnostic> = written
            .filter_map(|path| match confine(&self.root, folder, &path.node) {
                Err(refusal @ (Refusal::Absolute | Refusal::Outside | Refusal::Symlink(_))) => {
                    Some(self.left_root(path, Kind::TestCase, refusal))
                }
                _ => None,
            })
            .collect();
        self.diagnostics.extend(refused);
    }

    /// The S0202 diagnostic for a path that leaves the root.
    fn left_root(&self, path: &Spanned<String>, kind: Kind, refusal: Refusal) -> Diagnostic {
        match refusal {
            Refusal::Absolute => absolute(path, kind),
            Refusal::Symlink(target) => self.symlink_escape(path, kind, &target),
            _ => self.escape(path, kind),
        }
    }

    /// The name shown for a file inside the root: root-relative, with `/`.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(relative) => slash_path(relative),
            Err(_) => path.display().to_string(),
        }
    }
}

/// Why a path written in a protocol (an import, a test case file) cannot be used.
enum Refusal {
    /// It is absolute.
    Absolute,
    /// Its `..` climb out of the root.
    Outside,
    /// It is inside the root, but a symlink sends it to this target outside.
    Symlink(PathBuf),
    /// No file is there (the path as joined).
    NotFound(PathBuf),
    /// It cannot be resolved for another reason.
    Unreadable(String),
}

/// The canonical file that `written` names, relative to `folder`, when it
/// stays inside `root` (canonical): no absolute path, no `..` climbing out,
/// no symlink pointing out. Imports and test case files follow this one rule.
fn confine(root: &Path, folder: &Path, written: &str) -> Result<PathBuf, Refusal> {
    let written = Path::new(written);
    if written.has_root() || written.is_absolute() {
        return Err(Refusal::Absolute);
    }
    let joined = normalize(&folder.join(written));
    if !joined.starts_with(root) {
        return Err(Refusal::Outside);
    }
    let target = joined.canonicalize().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Refusal::NotFound(joined.clone()),
        _ => Refusal::Unreadable(describe(&e)),
    })?;
    if !target.starts_with(root) {
        return Err(Refusal::Symlink(target));
    }
    Ok(target)
}

/// The imports among a file's items.
fn imports_of(file: &ast::File) -> impl Iterator<Item = &ast::Import> {
    file.items.iter().filter_map(|item| match item {
        ast::Item::Import(import) => Some(import),
        _ => None,
    })
}

/// Reads a file as UTF-8 text, or says why it cannot.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| describe(&e))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A short, lowercase reason for an IO error.
fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or folder".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => lowercase_first(&error.to_string()),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The folder a protocol is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The canonical form of a path, or the path itself if it cannot be had.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A relative path written with `/` whatever the platform.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
