//! Decisions are made on typed values, never on text: no code outside tests reads an error's
//! message or code text, or writes a flag into a status string that checks then read. The one
//! place AWS error codes become kinds is where SDK errors are converted
//! (src/backend/aws/errors.rs).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's lines up to its test module (`#[cfg(test)]`), with their numbers. A file named
/// `tests.rs`, or under a `tests/` module folder, is all test.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    if path.file_name().is_some_and(|n| n == "tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
    {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).expect("read source");
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// Every `tests/` module folder under src is compiled for tests only (`#[cfg(test)] mod
/// tests;`), so that skipping it above skips nothing that ships.
#[test]
fn every_tests_folder_under_src_is_test_only() {
    fn folders(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "tests") {
                    out.push(p.clone());
                }
                folders(&p, out);
            }
        }
    }
    let mut found = Vec::new();
    folders(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    for dir in found {
        let parent = dir.parent().expect("a parent");
        let declaring = [parent.join("mod.rs"), parent.with_extension("rs")]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("no module declares {}", dir.display()));
        let text = std::fs::read_to_string(&declaring).expect("read");
        assert!(
            text.contains("#[cfg(test)]\nmod tests;"),
            "{} declares tests/ without #[cfg(test)]",
            declaring.display()
        );
    }
}

#[test]
fn no_decision_reads_an_error_text_or_a_decorated_status() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the sources were found: {}", files.len());
    let forbidden = [
        "code.contains(",
        "code.starts_with(",
        "message.contains(",
        "message.starts_with(",
        "error.contains(",
        ".status = format!(",
    ];
    let converter = root.join("src/backend/aws/errors.rs");
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            for pat in forbidden {
                let allowed = f == &converter && pat.starts_with("code.");
                if line.contains(pat) && !allowed {
                    found.push(format!("{}:{n}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "decisions on text:\n{}", found.join("\n"));
}

/// A call is known by the action itself: no code compares, looks up or stores by a call's
/// display text (`describe()`), and the journal's step memory keys nothing by text.
#[test]
fn no_call_is_known_by_its_display_text() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            let keyed = ["==", "!=", ".get(", ".insert(", ".contains(", ".entry("]
                .iter()
                .any(|op| line.contains(op));
            if line.contains("describe()") && keyed {
                found.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    let plan = code_lines(&root.join("src/runbook/plan.rs"));
    for (n, line) in plan {
        if line.contains("BTreeMap<String") || line.contains("HashMap<String") {
            found.push(format!("src/runbook/plan.rs:{n}: {}", line.trim()));
        }
    }
    assert!(
        found.is_empty(),
        "calls known by their text:\n{}",
        found.join("\n")
    );
}
