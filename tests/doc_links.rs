//! The documentation cannot rot: every relative link and `#anchor` in README.md,
//! ARCHITECTURE.md, CONTRIBUTING.md and the book (docs/src/**/*.md) resolves, every
//! `{{#include}}` of the book names a file that exists, every path of the source tree named in
//! a code span (`src/poll/fleet/`, `tests/aws_lock.rs`) exists, and every page of the book is in
//! its SUMMARY.md. Anchors follow the rule GitHub and mdBook share: the heading's text, lowercase,
//! spaces to `-`, every character but letters, digits, `-` and `_` dropped; a repeated heading
//! gets `-1`, `-2`, ...

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files the check covers, under `root`.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    out.extend(markdown_under(&root.join("docs/src")));
    out
}

fn markdown_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(markdown_under(&p));
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
    out
}

/// The lines of `text` outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let marker = if t.starts_with("```") {
            Some("```")
        } else if t.starts_with("~~~") {
            Some("~~~")
        } else {
            None
        };
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(f), Some(m)) if f == m => fence = None,
            (None, None) => out.push((i + 1, line)),
            _ => {}
        }
    }
    out
}

/// The anchor of a heading's text, as GitHub and mdBook make it.
fn anchor_of(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c.is_whitespace() {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

/// The heading text of a link-free heading line: `[text](url)` counts as `text`.
fn heading_text(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find("](") {
            Some(close) => {
                out.push_str(&after[..close]);
                let tail = &after[close + 2..];
                rest = tail.find(')').map_or("", |e| &tail[e + 1..]);
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every anchor of a Markdown file.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = anchor_of(heading_text(line[hashes..].trim()).trim());
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// The targets of the inline links `[text](target)` of one line, outside code spans.
fn link_targets(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '`' => {
                // A code span: skip to the closing run of as many backticks.
                let run = chars[i..].iter().take_while(|c| **c == '`').count();
                let mut j = i + run;
                loop {
                    if j >= chars.len() {
                        // No closing run: the backticks are literal.
                        j = i + run;
                        break;
                    }
                    if chars[j] == '`' {
                        let close = chars[j..].iter().take_while(|c| **c == '`').count();
                        if close == run {
                            j += close;
                            break;
                        }
                        j += close;
                    } else {
                        j += 1;
                    }
                }
                i = j;
            }
            '[' => {
                let mut depth = 0usize;
                let mut j = i;
                let mut end = None;
                while j < chars.len() {
                    match chars[j] {
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                match end {
                    Some(e) if chars.get(e + 1) == Some(&'(') => {
                        let start = e + 2;
                        let mut k = start;
                        let mut parens = 1usize;
                        while k < chars.len() {
                            match chars[k] {
                                '(' => parens += 1,
                                ')' => {
                                    parens -= 1;
                                    if parens == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                            k += 1;
                        }
                        let target: String = chars[start..k.min(chars.len())].iter().collect();
                        // `[text](url "title")`: the title is not part of the target.
                        let target = target.split_whitespace().next().unwrap_or("").to_string();
                        out.push(target);
                        // The link text may hold links of its own (an image in a link).
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The code spans of one line that name a path of the source tree: `src/…`, `tests/…`,
/// `benches/…`, `assets/…` or `docs/src/…`, with no placeholder (`<kind>`), pattern or space in
/// them. (`scripts/…` is left out: the examples name their teams' own scripts; `docs/book/` is
/// built.)
fn tree_paths(line: &str) -> Vec<String> {
    const ROOTS: [&str; 5] = ["src/", "tests/", "benches/", "assets/", "docs/src/"];
    line.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| ROOTS.iter().any(|r| span.starts_with(r)))
        .filter(|span| {
            span.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
        })
        .map(str::to_string)
        .collect()
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every broken link, include and page of the documentation under `root`, one line each.
fn problems(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let docs = documents(root);
    for doc in &docs {
        match fs::read_to_string(doc) {
            Ok(t) => {
                texts.insert(normalise(doc), t);
            }
            Err(e) => out.push(format!("{}: cannot be read: {e}", doc.display())),
        }
    }
    let show = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    for doc in &docs {
        let Some(text) = texts.get(&normalise(doc)) else {
            continue;
        };
        let dir = doc.parent().unwrap_or(root);
        for (n, line) in prose_lines(text) {
            for target in link_targets(line) {
                let where_ = format!("{}:{n}", show(doc));
                if target.is_empty() {
                    out.push(format!("{where_}: an empty link"));
                    continue;
                }
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (path, anchor) = match target.split_once('#') {
                    Some((p, a)) => (p, Some(a)),
                    None => (target.as_str(), None),
                };
                let file = if path.is_empty() {
                    normalise(doc)
                } else {
                    normalise(&dir.join(path))
                };
                if !file.exists() {
                    out.push(format!(
                        "{where_}: {target}: {} does not exist",
                        show(&file)
                    ));
                    continue;
                }
                let Some(anchor) = anchor else { continue };
                if file.extension().is_none_or(|e| e != "md") {
                    out.push(format!(
                        "{where_}: {target}: an anchor into a file that is not Markdown"
                    ));
                    continue;
                }
                let target_text = match texts.get(&file) {
                    Some(t) => t.clone(),
                    None => fs::read_to_string(&file).unwrap_or_default(),
                };
                if !anchors(&target_text).contains(anchor) {
                    out.push(format!(
                        "{where_}: {target}: no heading of {} has the anchor #{anchor}",
                        show(&file)
                    ));
                }
            }
        }
        for (n, line) in prose_lines(text) {
            for path in tree_paths(line) {
                if !root.join(&path).exists() {
                    out.push(format!("{}:{n}: `{path}` does not exist", show(doc)));
                }
            }
        }
        // mdBook's includes, in code blocks too.
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(start) = rest.find("{{#include ") {
                let after = &rest[start + "{{#include ".len()..];
                let Some(end) = after.find("}}") else { break };
                let spec = after[..end].trim();
                // `file:anchor` or `file:from:to` select part of the file.
                let path = spec.split(':').next().unwrap_or(spec);
                let file = normalise(&dir.join(path));
                if !file.is_file() {
                    out.push(format!(
                        "{}:{}: {{{{#include {spec}}}}}: {} does not exist",
                        show(doc),
                        n + 1,
                        show(&file)
                    ));
                }
                rest = &after[end..];
            }
        }
    }
    // Every page of the book is in its summary.
    let src = root.join("docs/src");
    let summary = normalise(&src.join("SUMMARY.md"));
    match texts.get(&summary) {
        None => out.push("docs/src/SUMMARY.md: missing".to_string()),
        Some(text) => {
            let listed: BTreeSet<PathBuf> = prose_lines(text)
                .into_iter()
                .flat_map(|(_, l)| link_targets(l))
                .map(|t| normalise(&src.join(t.split('#').next().unwrap_or(""))))
                .collect();
            for page in markdown_under(&src) {
                let page = normalise(&page);
                if page != summary && !listed.contains(&page) {
                    out.push(format!("{}: not in docs/src/SUMMARY.md", show(&page)));
                }
            }
        }
    }
    out
}

#[test]
fn every_link_anchor_include_and_page_of_the_documentation_resolves() {
    let found = problems(&crate_root());
    assert!(
        found.is_empty(),
        "{} broken:\n{}",
        found.len(),
        found.join("\n")
    );
    // The check looked at something: the book has pages, and they link to each other.
    let pages = markdown_under(&crate_root().join("docs/src"));
    assert!(pages.len() >= 10, "the book has {} pages", pages.len());
}

#[test]
fn a_broken_link_a_wrong_anchor_a_missing_include_and_a_page_not_in_the_summary_are_reported() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path();
    let src = root.join("docs/src");
    fs::create_dir_all(&src).expect("docs/src");
    let write = |p: &str, t: &str| fs::write(root.join(p), t).expect(p);
    write(
        "README.md",
        "# Title\n\n[ok](docs/src/a.md#what-check-refuses) [gone](docs/src/gone.md)\n\
         [bad anchor](docs/src/a.md#nowhere) [self](#title) [web](https://example.com/x)\n\
         `[in code](nothing.md)`\n\n```\n[in a fence](nothing.md)\n```\n",
    );
    write("ARCHITECTURE.md", "# A\n\n[twice](docs/src/a.md#same-1)\n");
    write(
        "CONTRIBUTING.md",
        "# C\n\n[up](README.md#title) `src/gone.rs` `src/<kind>.rs` `docs/src`\n",
    );
    write("docs/src/SUMMARY.md", "# Summary\n\n- [A](a.md)\n");
    write(
        "docs/src/a.md",
        "# A page\n\n## What `check` refuses\n\n## Same\n\n## Same\n\n\
         ```toml\n{{#include ../../missing.toml}}\n```\n",
    );
    write("docs/src/orphan.md", "# Orphan\n");
    let found = problems(root);
    let text = found.join("\n");
    for expected in [
        "README.md:3: docs/src/gone.md: docs/src/gone.md does not exist",
        "README.md:4: docs/src/a.md#nowhere: no heading of docs/src/a.md has the anchor #nowhere",
        "docs/src/a.md:10: {{#include ../../missing.toml}}: missing.toml does not exist",
        "docs/src/orphan.md: not in docs/src/SUMMARY.md",
        "CONTRIBUTING.md:3: `src/gone.rs` does not exist",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert_eq!(found.len(), 5, "only those five:\n{text}");
}

#[test]
fn anchors_follow_the_github_and_mdbook_rule() {
    assert_eq!(anchor_of("What `check` refuses"), "what-check-refuses");
    assert_eq!(
        anchor_of("Posture: which region writes and serves"),
        "posture-which-region-writes-and-serves"
    );
    assert_eq!(
        anchor_of("status --json and its schema"),
        "status---json-and-its-schema"
    );
    assert_eq!(anchor_of("The failover's order"), "the-failovers-order");
    assert_eq!(
        anchor_of("Idempotence, failures and retries"),
        "idempotence-failures-and-retries"
    );
    assert_eq!(heading_text("See [the book](x.md) now"), "See the book now");
    assert_eq!(
        link_targets("a [`x`](p.md#q) and `[no](r.md)` and [t](u.md \"title\")"),
        ["p.md#q", "u.md"]
    );
}
