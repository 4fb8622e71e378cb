//! Loading a protocol and its imports into a [`Program`], and the checking
//! facade ([`check_files`], [`check_source`]) that the binary and tests call.
//!
//! Imports are resolved relative to the importing file and never leave the
//! root (the protocol's folder, or `--root`): an absolute path, a `..` that
//! climbs out, or a symlink pointing out is S0202. Each file is loaded once,
//! however often it is imported; an import that reaches a file still being
//! loaded closes a cycle (S0203). Imported files hold vocabulary only (S0206).

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diag::{did_you_mean, Code, Diagnostic, Severity};
use crate::span::{FileId, Span};
use crate::syntax::ast;

/// Parse and check run on a thread with this much stack, so that deep but
/// legal input never overflows.
const STACK_SIZE: usize = 256 * 1024 * 1024;

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
}

/// What checking one protocol found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The files read, for rendering.
    pub sources: Sources,
    /// Every problem, sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Whether any diagnostic is an error (warnings alone do not count).
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// How many diagnostics have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }
}

/// Loads, parses and checks the protocol at `path` and its imports.
///
/// `root` is the folder imports may not leave; without it, the protocol's
/// own folder. Runs on a thread with a large stack.
pub fn check_files(path: &Path, root: Option<&Path>) -> CheckReport {
    on_big_stack(|| {
        let loaded = Loader::run(path, root);
        finish(loaded.program, loaded.diagnostics)
    })
}

/// Parses and checks protocol text held in memory, named `name` in
/// diagnostics. Imports are not followed (each is S0201).
pub fn check_source(name: &str, text: &str) -> CheckReport {
    on_big_stack(|| {
        let (program, diagnostics) = load_str(name, text);
        finish(program, diagnostics)
    })
}

/// Checks the protocols found by searching folders: a file that another of
/// `paths` imports is checked through that import, not on its own (so a
/// shared vocabulary file is not reported as a protocol without a header).
/// The reports follow the order of `paths`.
pub fn check_tree(paths: &[PathBuf], root: Option<&Path>) -> Vec<CheckReport> {
    on_big_stack(|| {
        let loaded: Vec<Loaded> = paths.iter().map(|p| Loader::run(p, root)).collect();
        let chosen = entry_points(&loaded);
        loaded
            .into_iter()
            .zip(chosen)
            .filter(|(_, chosen)| *chosen)
            .map(|(l, _)| finish(l.program, l.diagnostics))
            .collect()
    })
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

/// A report for something that could not be read at all (S0008): one
/// diagnostic on an empty source named `name`.
pub fn unreadable(name: &str, reason: &str) -> CheckReport {
    let (program, diagnostics) = unreadable_program(name, reason, PathBuf::new());
    CheckReport {
        sources: program.sources,
        diagnostics,
    }
}

/// Reads the protocol at `path` and, recursively, its imports. See the
/// module documentation for the rules; `root` defaults to the protocol's
/// folder. Call it on a thread with a large stack (the facade functions do).
pub fn load(path: &Path, root: Option<&Path>) -> (Program, Vec<Diagnostic>) {
    let loaded = Loader::run(path, root);
    (loaded.program, loaded.diagnostics)
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
    };
    (program, diagnostics)
}

/// Runs `work` on a thread with a [`STACK_SIZE`] stack; on the current
/// thread if no such thread can be started. A panic in `work` is passed on.
pub fn on_big_stack<T: Send, F: Fn() -> T + Sync>(work: F) -> T {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("salvage-check".to_string())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, &work);
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => work(),
        }
    })
}

/// Runs the checker (when there is something to check) and sorts.
fn finish(program: Program, diagnostics: Vec<Diagnostic>) -> CheckReport {
    let (program, diagnostics) = checked(program, diagnostics);
    CheckReport {
        sources: program.sources,
        diagnostics,
    }
}

fn checked(program: Program, mut diagnostics: Vec<Diagnostic>) -> (Program, Vec<Diagnostic>) {
    if !program.files.is_empty() {
        let found = crate::check::check(&program, &diagnostics);
        diagnostics.extend(found);
    }
    diagnostics.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    (program, diagnostics)
}

/// A protocol ready to evaluate, with the report of checking it.
pub struct Compiled {
    /// What checking found (warnings, or the errors that stopped compilation).
    pub report: CheckReport,
    /// The protocol, when it checked without errors.
    pub protocol: Option<crate::eval::model::Protocol>,
}

/// Loads, checks and compiles a protocol for evaluation.
pub fn compile_file(path: &Path, root: Option<&Path>) -> Compiled {
    on_big_stack(|| {
        let loaded = Loader::run(path, root);
        compiled(checked(loaded.program, loaded.diagnostics))
    })
}

/// Checks and compiles protocol text held in memory (imports are not followed).
pub fn compile_source(name: &str, text: &str) -> Compiled {
    on_big_stack(|| {
        let (program, diagnostics) = load_str(name, text);
        compiled(checked(program, diagnostics))
    })
}

fn compiled((program, diagnostics): (Program, Vec<Diagnostic>)) -> Compiled {
    let failed = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    let protocol = (!failed).then(|| crate::eval::model::Protocol::compile(&program));
    Compiled {
        report: CheckReport {
            sources: program.sources,
            diagnostics,
        },
        protocol,
    }
}

/// A program holding only an empty source named `name`, and the S0008
/// diagnostic saying why it could not be read.
fn unreadable_program(name: &str, reason: &str, root_dir: PathBuf) -> (Program, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile {
        path: name.to_string(),
        text: String::new(),
    });
    let diagnostic = Diagnostic::new(
        Code::S0008,
        Span::new(id, 0, 0),
        format!("cannot read `{name}`: {reason}"),
    );
    let program = Program {
        sources,
        files: Vec::new(),
        root_dir,
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
            let message = format!(
                "cannot open the root folder `{}`: {}",
                root_dir.display(),
                describe(&error)
            );
            let diagnostic = Diagnostic::new(Code::S0008, Span::new(id, 0, 0), message)
                .note("imports are resolved inside the root folder");
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
        if let Some(at) = imported_at {
            self.vocabulary_only(&file, id, at);
        }
        let imports: Vec<ast::Import> = imports_of(&file).cloned().collect();
        self.files.push((id, file));
        self.seen.insert(path.clone(), id);
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
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
        let written = Path::new(&import.path.node);
        if written.has_root() || written.is_absolute() {
            return Err(Box::new(absolute(import)));
        }
        let joined = normalize(&folder.join(written));
        if !joined.starts_with(&self.root) {
            return Err(Box::new(self.escape(import)));
        }
        let target = match joined.canonicalize() {
            Ok(target) => target,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Box::new(not_found(import, &joined)))
            }
            Err(e) => return Err(Box::new(unreadable_import(import, &describe(&e)))),
        };
        if !target.starts_with(&self.root) {
            return Err(Box::new(self.symlink_escape(import, &target)));
        }
        Ok(target)
    }

    /// The name shown for a file inside the root: root-relative, with `/`.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(relative) => slash_path(relative),
            Err(_) => path.display().to_string(),
        }
    }

    /// S0202 for a `..` that climbs out of the root.
    fn escape(&self, import: &ast::Import) -> Diagnostic {
        Diagnostic::new(
            Code::S0202,
            import.path.span,
            format!("import `{}` leaves the root folder", import.path.node),
        )
        .label(if climbs(&import.path.node) {
            "`..` climbs out of the root"
        } else {
            "this is outside the root folder"
        })
        .note(self.root_note())
        .help("move the shared file inside the root, or give a wider `--root`")
    }

    /// S0202 for a path inside the root that a symlink sends outside it.
    fn symlink_escape(&self, import: &ast::Import, target: &Path) -> Diagnostic {
        Diagnostic::new(
            Code::S0202,
            import.path.span,
            format!("import `{}` leaves the root folder", import.path.node),
        )
        .label("a symlink points outside the root")
        .note(format!("it resolves to `{}`", target.display()))
        .note(self.root_note())
        .help("copy the shared file inside the root, or give a wider `--root`")
    }

    fn root_note(&self) -> String {
        format!(
            "imports must stay inside the root folder `{}`",
            self.root_shown
        )
    }

    /// S0203 at the import that reaches `chain[at]` again.
    fn cycle(&self, at: usize, import: &ast::Import) -> Diagnostic {
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
    fn vocabulary_only(&mut self, file: &ast::File, id: FileId, imported_at: Span) {
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

/// The imports among a file's items.
fn imports_of(file: &ast::File) -> impl Iterator<Item = &ast::Import> {
    file.items.iter().filter_map(|item| match item {
        ast::Item::Import(import) => Some(import),
        _ => None,
    })
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

/// S0202 for an absolute import path.
fn absolute(import: &ast::Import) -> Diagnostic {
    Diagnostic::new(
        Code::S0202,
        import.path.span,
        format!("import `{}` is an absolute path", import.path.node),
    )
    .label("absolute paths are not allowed")
    .note("imports are resolved relative to the importing file and stay inside the root folder")
    .help("write the path relative to this file")
}

/// S0201 for a path that names no file, with a did-you-mean over the
/// `.salv` files in the folder it points into.
fn not_found(import: &ast::Import, resolved: &Path) -> Diagnostic {
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
fn not_followed(name: &str, import: &ast::Import) -> Diagnostic {
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
fn unreadable_import(import: &ast::Import, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::S0008,
        import.path.span,
        format!("cannot read imported file `{}`: {reason}", import.path.node),
    )
    .label("imported here")
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

/// Whether a written path has a `..` in it.
fn climbs(written: &str) -> bool {
    Path::new(written)
        .components()
        .any(|c| c == Component::ParentDir)
}

/// A relative path written with `/` whatever the platform.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
