//! Integration tests of the `salvage` binary: exit codes, output formats,
//! `explain`, and the import rules (not found, cycles, leaving the root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::cli::{code, salvage, salvage_stdin, stderr, stdout};
use common::temp::TempDir;
use salvage::diag::Code;
use serde_json::Value;

const HEADER: &str =
    r#"protocol "Test" { version "1" institution "X" status approved effective 2026-01-01 }"#;

/// A valid protocol body after the header.
const BODY: &str = "agent x\nregimen R = x\nrule r when true then recommend R\n";

/// A protocol: the header, `extra` lines, then a valid body.
fn protocol(extra: &str) -> String {
    format!("{HEADER}\n{extra}\n{BODY}")
}

/// `salvage check --format json ARGS…` in `dir`: the exit code and document.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = salvage(dir, &all);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&output)));
    (code(&output), document)
}

/// The codes of a JSON document's diagnostics.
fn codes(document: &Value) -> Vec<String> {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The one diagnostic with `code` in a document.
fn find<'a>(document: &'a Value, code: &str) -> &'a Value {
    let all = document["diagnostics"].as_array().unwrap();
    let found: Vec<&Value> = all.iter().filter(|d| d["code"] == code).collect();
    assert_eq!(found.len(), 1, "one {code} expected in {document:#}");
    found[0]
}

#[test]
fn a_valid_protocol_exits_0() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol(""));
    let output = salvage(dir.path(), &["check", "p.salv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "checked 1 file: no errors, 0 warnings\n");
}

#[test]
fn a_syntax_error_exits_1_with_a_located_diagnostic() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol("rule broken when then"));
    let output = salvage(dir.path(), &["check", "p.salv"]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(text.contains("error[S0"), "{text}");
    assert!(text.contains("p.salv:"), "{text}");
    assert!(text.contains("error: `p.salv` has"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol(""));
    assert_eq!(code(&salvage(dir.path(), &[])), 2);
    assert_eq!(code(&salvage(dir.path(), &["check"])), 2);
    assert_eq!(
        code(&salvage(
            dir.path(),
            &["check", "--format", "xml", "p.salv"]
        )),
        2
    );
    assert_eq!(code(&salvage(dir.path(), &["frobnicate"])), 2);
    let bad_root = salvage(dir.path(), &["check", "--root", "nowhere", "p.salv"]);
    assert_eq!(code(&bad_root), 2);
}

#[test]
fn an_empty_folder_is_a_usage_error() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let output = salvage(dir.path(), &["check", "empty"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no `.salv` files"));
}

#[test]
fn a_missing_file_is_s0008() {
    let dir = TempDir::new();
    let (status, document) = check_json(dir.path(), &["nope.salv"]);
    assert_eq!(status, 1);
    let diagnostic = find(&document, "S0008");
    assert_eq!(diagnostic["file"], "nope.salv");
    assert_eq!(diagnostic["line"], 1);
    let human = salvage(dir.path(), &["check", "nope.salv"]);
    assert!(stderr(&human).contains("error[S0008]: cannot read `nope.salv`"));
}

#[test]
fn json_output_is_one_document_with_located_diagnostics() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol("import \"missing.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    assert_eq!(document["checked"], serde_json::json!(["p.salv"]));
    assert!(document["errors"].as_u64().unwrap() >= 1);
    let diagnostic = find(&document, "S0201");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["file"], "p.salv");
    assert_eq!(diagnostic["line"], 2);
    assert_eq!(diagnostic["column"], 8);
    assert_eq!(diagnostic["end_column"], 22);
    assert_eq!(diagnostic["labels"][0]["primary"], true);
    assert!(diagnostic["notes"].is_array() && diagnostic["help"].is_array());
}

#[test]
fn json_output_for_a_clean_protocol_has_no_diagnostics() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol(""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 0, "{document:#}");
    assert_eq!(document["errors"], 0);
}

#[test]
fn no_color_output_has_no_escape_bytes() {
    let dir = TempDir::new();
    dir.write(
        "p.salv",
        &protocol("import \"missing.salv\"\nrule broken when then"),
    );
    let output = salvage(dir.path(), &["check", "p.salv"]);
    assert_eq!(code(&output), 1);
    assert!(!output.stderr.is_empty());
    assert!(!output.stderr.contains(&0x1b), "{}", stderr(&output));
}

#[test]
fn explain_prints_the_explanation() {
    let dir = TempDir::new();
    let output = salvage(dir.path(), &["explain", "S0101"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(text.starts_with(Code::S0101.explanation_text().trim_end()));
    let lowercase = salvage(dir.path(), &["explain", "s0101"]);
    assert_eq!(code(&lowercase), 0);
}

#[test]
fn explain_rejects_an_unknown_code_with_exit_2() {
    let dir = TempDir::new();
    let output = salvage(dir.path(), &["explain", "S9999"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown code `S9999`"));
    assert!(output.stdout.is_empty());
    let near = salvage(dir.path(), &["explain", "S010"]);
    assert_eq!(code(&near), 2);
    assert!(
        stderr(&near).contains("did you mean `S0"),
        "{}",
        stderr(&near)
    );
}

#[test]
fn version_prints_the_name_and_version() {
    let dir = TempDir::new();
    let output = salvage(dir.path(), &["--version"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output).trim(), "salvage 0.1.0");
}

#[test]
fn an_import_not_found_is_s0201_with_a_suggestion() {
    let dir = TempDir::new();
    dir.write("common/agents.salv", "agent y\n");
    dir.write("p.salv", &protocol("import \"common/agnets.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    let diagnostic = find(&document, "S0201");
    assert_eq!(
        diagnostic["help"],
        serde_json::json!(["did you mean `common/agents.salv`?"])
    );
}

#[test]
fn an_import_cycle_is_s0203() {
    let dir = TempDir::new();
    dir.write("a.salv", "import \"b.salv\"\nagent a\n");
    dir.write("b.salv", "import \"a.salv\"\nagent b\n");
    dir.write("p.salv", &protocol("import \"a.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    let diagnostic = find(&document, "S0203");
    assert_eq!(diagnostic["file"], "b.salv");
    let note = diagnostic["notes"][0].as_str().unwrap();
    assert!(note.contains("`a.salv` → `b.salv` → `a.salv`"), "{note}");
}

#[test]
fn a_protocol_importing_itself_is_s0203() {
    let dir = TempDir::new();
    dir.write("p.salv", &protocol("import \"p.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    find(&document, "S0203");
}

#[test]
fn a_dotdot_escape_is_s0202() {
    let dir = TempDir::new();
    dir.write("common.salv", "agent y\n");
    dir.write("sub/p.salv", &protocol("import \"../common.salv\""));
    let (status, document) = check_json(dir.path(), &["sub/p.salv"]);
    assert_eq!(status, 1);
    find(&document, "S0202");
    assert!(!codes(&document).contains(&"S0201".to_string()));
}

#[test]
fn a_dotdot_inside_the_root_is_allowed() {
    let dir = TempDir::new();
    dir.write("common/v.salv", "agent y\n");
    dir.write("sub/p.salv", &protocol("import \"../common/v.salv\""));
    let (status, document) = check_json(dir.path(), &["--root", ".", "sub/p.salv"]);
    assert!(
        !codes(&document).contains(&"S0202".to_string()),
        "{document:#}"
    );
    assert_eq!(status, 0, "{document:#}");
}

#[test]
fn an_absolute_import_is_s0202() {
    let dir = TempDir::new();
    let vocabulary = dir.write("v.salv", "agent y\n");
    let import = format!("import \"{}\"", vocabulary.display());
    dir.write("p.salv", &protocol(&import));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    find(&document, "S0202");
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_out_of_the_root_is_s0202() {
    let outside = TempDir::new();
    let target = outside.write("v.salv", "agent y\n");
    let dir = TempDir::new();
    std::os::unix::fs::symlink(&target, dir.path().join("v.salv")).unwrap();
    dir.write("p.salv", &protocol("import \"v.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    find(&document, "S0202");
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_root_is_allowed() {
    let dir = TempDir::new();
    let target = dir.write("real/v.salv", "agent y\n");
    std::os::unix::fs::symlink(&target, dir.path().join("v.salv")).unwrap();
    dir.write("p.salv", &protocol("import \"v.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 0, "{document:#}");
}

#[test]
fn a_file_imported_twice_is_loaded_once() {
    let dir = TempDir::new();
    dir.write("common.salv", "agent y\nregimen Q = y\n");
    dir.write("a.salv", "import \"common.salv\"\nagent a\n");
    dir.write("b.salv", "import \"./common.salv\"\nagent b\n");
    let imports = "import \"a.salv\"\nimport \"b.salv\"\nimport \"common.salv\"";
    let path = dir.write("p.salv", &protocol(imports));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 0, "{document:#}");
    let (program, diagnostics) = salvage::load::load(&path, None);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let shown: Vec<&str> = program
        .files
        .iter()
        .map(|(id, _)| program.sources.path(*id))
        .collect();
    let protocol_path = path.display().to_string();
    let expected = [protocol_path.as_str(), "a.salv", "common.salv", "b.salv"];
    assert_eq!(shown, expected);
}

#[test]
fn an_imported_file_with_rules_is_s0206() {
    let dir = TempDir::new();
    dir.write(
        "v.salv",
        "agent y\nregimen Q = y\nrule q when true then recommend Q\n",
    );
    dir.write("p.salv", &protocol("import \"v.salv\""));
    let (status, document) = check_json(dir.path(), &["p.salv"]);
    assert_eq!(status, 1);
    let diagnostic = find(&document, "S0206");
    assert_eq!(diagnostic["file"], "v.salv");
    assert_eq!(diagnostic["labels"][1]["file"], "p.salv");
}

#[test]
fn folders_are_searched_recursively_in_order() {
    let dir = TempDir::new();
    dir.write("tree/b/deep/q.salv", &protocol(""));
    dir.write("tree/a.salv", &protocol("rule broken when then"));
    dir.write("tree/notes.txt", "not a protocol");
    let (status, document) = check_json(dir.path(), &["tree"]);
    assert_eq!(status, 1);
    let checked: Vec<String> = document["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().replace('\\', "/"))
        .collect();
    assert_eq!(checked, ["tree/a.salv", "tree/b/deep/q.salv"]);
}

#[test]
fn a_folder_checks_shared_vocabulary_through_its_importers() {
    let dir = TempDir::new();
    dir.write("tree/common/v.salv", "agent y\n");
    dir.write("tree/p.salv", &protocol("import \"common/v.salv\""));
    let (status, document) = check_json(dir.path(), &["tree"]);
    assert_eq!(status, 0, "{document:#}");
    let checked = document["checked"].as_array().unwrap();
    assert_eq!(checked.len(), 1, "{document:#}");
}

#[test]
fn stdin_is_read_for_dash() {
    let dir = TempDir::new();
    let output = salvage_stdin(dir.path(), &["check", "-"], &protocol(""));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let broken = salvage_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        &protocol("import \"v.salv\""),
    );
    assert_eq!(code(&broken), 1);
    let document: Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(document["checked"], serde_json::json!(["<stdin>"]));
    find(&document, "S0201");
}

#[test]
fn several_files_exit_1_when_any_has_errors() {
    let dir = TempDir::new();
    dir.write("good.salv", &protocol(""));
    dir.write("bad.salv", &protocol("rule broken when then"));
    let output = salvage(dir.path(), &["check", "good.salv", "bad.salv"]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("`bad.salv` has"));
    assert_eq!(code(&salvage(dir.path(), &["check", "good.salv"])), 0);
}

#[test]
fn a_folder_of_files_importing_each_other_still_checks_one() {
    let dir = TempDir::new();
    dir.write("tree/a.salv", "import \"b.salv\"\nagent a\n");
    dir.write("tree/b.salv", "import \"a.salv\"\nagent b\n");
    let (status, document) = check_json(dir.path(), &["tree"]);
    assert_eq!(status, 1);
    assert_eq!(document["checked"].as_array().unwrap().len(), 1);
    find(&document, "S0203");
}

#[test]
fn deep_but_legal_nesting_does_not_crash() {
    let dir = TempDir::new();
    let depth = 100;
    let define = format!("define d = {}1{}", "(".repeat(depth), ")".repeat(depth));
    dir.write("p.salv", &protocol(&define));
    let output = salvage(dir.path(), &["check", "p.salv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn colour_is_rendered_only_when_asked() {
    let report = salvage::check_source("x.salv", &protocol("import \"v.salv\""));
    let plain = salvage::diag::render::to_text(&report.diagnostics, &report.sources, false);
    let coloured = salvage::diag::render::to_text(&report.diagnostics, &report.sources, true);
    assert!(
        plain.contains("error[S0201]") && !plain.contains('\x1b'),
        "{plain}"
    );
    assert!(coloured.contains('\x1b'), "{coloured}");
}
