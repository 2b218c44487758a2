//! `report.html` after a headless failover against moto: one self-contained, well-formed
//! XHTML page (parsed here with an XML tokenizer and a tag stack) that references nothing
//! outside itself, draws one timeline bar per step, and names the user and host of every
//! confirmation; `drconsole report RUN_ID` makes it again from the journal and audit log.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::moto;
use support::process::run_limited;
use support::{Endpoints, Moto};

/// One element as parsed: its name, attributes and the text directly inside it.
#[derive(Debug, Default, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    /// Indexes of its ancestors, nearest last.
    parents: Vec<usize>,
}

impl Element {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `text` as XML: every tag closed in order, one root, entities known. Panics with
/// the position of the first error.
fn parse(text: &str) -> Vec<Element> {
    let mut out: Vec<Element> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut roots = 0;
    for token in xmlparser::Tokenizer::from(text) {
        let token = token.unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
        match token {
            xmlparser::Token::ElementStart { local, prefix, .. } => {
                let name = if prefix.is_empty() {
                    local.to_string()
                } else {
                    format!("{prefix}:{local}")
                };
                if stack.is_empty() {
                    roots += 1;
                }
                out.push(Element {
                    name,
                    parents: stack.clone(),
                    ..Default::default()
                });
                stack.push(out.len() - 1);
            }
            xmlparser::Token::Attribute {
                local,
                prefix,
                value,
                ..
            } => {
                let name = if prefix.is_empty() {
                    local.to_string()
                } else {
                    format!("{prefix}:{local}")
                };
                let el = out.last_mut().expect("an attribute inside an element");
                assert!(
                    !el.attrs.iter().any(|(n, _)| *n == name),
                    "attribute {name} twice"
                );
                el.attrs.push((name, unescape(value.as_str())));
            }
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Empty => {
                    stack.pop();
                }
                xmlparser::ElementEnd::Close(prefix, local) => {
                    let name = if prefix.is_empty() {
                        local.to_string()
                    } else {
                        format!("{prefix}:{local}")
                    };
                    let open = stack.pop().expect("a closing tag with nothing open");
                    assert_eq!(out[open].name, name, "mismatched closing tag");
                }
            },
            xmlparser::Token::Text { text } => {
                if let Some(&i) = stack.last() {
                    out[i].text.push_str(&unescape(text.as_str()));
                } else {
                    assert!(text.as_str().trim().is_empty(), "text outside the root");
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    out
}

/// Resolves the entities XML defines (and numeric ones); any other `&` is an error.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("an entity ends with ;") + at;
        let name = &rest[at + 1..end];
        match name {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            n if n.starts_with('#') => {
                let code = n[1..]
                    .parse::<u32>()
                    .expect("a decimal character reference");
                out.push(char::from_u32(code).expect("a character"));
            }
            other => panic!("unknown entity &{other};"),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn text_within(all: &[Element], i: usize) -> String {
    let mut t = all[i].text.clone();
    for (k, e) in all.iter().enumerate() {
        if e.parents.contains(&i) {
            t.push_str(&all[k].text);
        }
    }
    t
}

struct Setup {
    _moto: Moto,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let moto = Moto::start();
        let seeded = moto.seed(0);
        let toml = seeded.estate_toml(&Endpoints::both(&moto.url));
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("orders.toml");
        std::fs::write(&config, toml).unwrap();
        Setup {
            _moto: moto,
            dir,
            config,
        }
    }
    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    fn audit(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }
    fn drconsole(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .arg("--audit-log")
            .arg(self.audit())
            .arg("--state-dir")
            .arg(self.state())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg"))
            .env("USER", "drill-lead")
            .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        cmd
    }
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The checks every report page must pass; returns the parsed elements.
fn check_page(html: &str, journal: &Value, audit: &[Value]) -> Vec<Element> {
    let all = parse(html);
    // Nothing loaded from elsewhere: no script, frame, image, font or style sheet, and no
    // attribute naming an http(s) resource.
    for e in &all {
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "image", "use", "audio",
                "video", "source"
            ]
            .contains(&e.name.as_str()),
            "<{}> in a self-contained report",
            e.name
        );
        for (k, v) in &e.attrs {
            let v = v.to_ascii_lowercase();
            assert!(
                !v.contains("http://") && !v.contains("https://") && !v.contains("url("),
                "<{} {k}={v:?}> refers to a resource",
                e.name
            );
        }
        if e.name == "style" {
            assert!(!e.text.contains("url(") && !e.text.contains("@import"));
        }
    }
    // The timeline: one bar per step of the journal, in order.
    let svgs: Vec<usize> = (0..all.len()).filter(|&i| all[i].name == "svg").collect();
    assert_eq!(svgs.len(), 1, "one <svg>");
    let bars: Vec<&Element> = all
        .iter()
        .filter(|e| e.name == "g" && e.attr("class") == Some("bar") && e.parents.contains(&svgs[0]))
        .collect();
    let steps: Vec<&str> = journal["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let bar_steps: Vec<&str> = bars.iter().map(|b| b.attr("data-step").unwrap()).collect();
    assert_eq!(bar_steps, steps);
    // Every step that ran has stretches drawn; the rects sit inside the bars.
    let rects = all
        .iter()
        .filter(|e| e.name == "rect" && e.attr("class").is_some())
        .count();
    assert!(
        rects >= steps.len() / 2,
        "{rects} stretches for {} steps",
        steps.len()
    );
    // Every confirmation in the audit log is in the table with its user and host.
    let confirms: Vec<&Value> = audit.iter().filter(|v| v["event"] == "confirm").collect();
    assert!(!confirms.is_empty(), "the failover was confirmed");
    let rows: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].name == "tr" && all[i].attr("class") == Some("confirmation"))
        .collect();
    assert_eq!(rows.len(), confirms.len());
    let host = audit.iter().find(|v| v["event"] == "run_started").unwrap()["host"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!host.is_empty());
    for (row, c) in rows.iter().zip(&confirms) {
        let cell = |class: &str| {
            let i = (0..all.len())
                .find(|&k| {
                    all[k].parents.last() == Some(row) && all[k].attr("class") == Some(class)
                })
                .unwrap_or_else(|| panic!("no {class} cell"));
            text_within(&all, i)
        };
        assert_eq!(cell("step"), c["step"].as_str().unwrap());
        assert_eq!(cell("user"), c["user"].as_str().unwrap());
        assert_eq!(cell("user"), "drill-lead");
        assert_eq!(cell("host"), host);
        assert_eq!(cell("how"), c["how"].as_str().unwrap());
    }
    // Every AWS change the run made is listed with its result.
    let calls = audit.iter().filter(|v| v["event"] == "call").count();
    let table = (0..all.len())
        .find(|&i| all[i].name == "table" && all[i].attr("id") == Some("changes"))
        .expect("a changes table");
    let change_rows = all
        .iter()
        .filter(|e| e.name == "tr" && e.parents.last() == Some(&table))
        .count();
    assert_eq!(change_rows, calls + 1, "a header and one row per call");
    all
}

#[test]
fn a_headless_failover_writes_a_self_contained_report_html_that_regenerates() {
    let s = Setup::new();
    let run = run_limited(
        s.drconsole(&[
            "run",
            "failover",
            "--yes",
            "--allow-irreversible",
            "--allow-data-loss",
            "--drill",
        ]),
        Duration::from_secs(90),
    );
    assert_eq!(run.code, Some(0), "{}", run.output());
    let runs = s.state().join("runs");
    let journal_path = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a journal");
    let journal: Value = serde_json::from_slice(&std::fs::read(&journal_path).unwrap()).unwrap();
    let run_id = journal["run_id"].as_str().unwrap().to_string();
    assert_eq!(journal["drill"], true);
    let audit = audit_lines(&s.audit());
    let started = audit.iter().find(|v| v["event"] == "run_started").unwrap();
    assert_eq!(started["drill"], true, "recorded from the start");
    let html = std::fs::read_to_string(runs.join(format!("{run_id}.html")))
        .expect("report.html beside report.md");
    assert!(runs.join(format!("{run_id}.md")).exists());
    let all = check_page(&html, &journal, &audit);
    let kind = all.iter().find(|e| e.attr("id") == Some("kind")).unwrap();
    assert_eq!(kind.text, "DRILL");
    // The estate file's hash, as the report states it.
    let sha = drconsole::runbook::audit::sha256_hex(&std::fs::read(&s.config).unwrap());
    assert!(html.contains(&sha), "the estate file's hash is stated");
    assert_eq!(started["estate_sha256"], Value::String(sha));
    // The chain head the report states is a line of the log.
    let stated = journal["audit_head"]["sha256"].as_str().unwrap();
    let log = std::fs::read(s.audit()).unwrap();
    assert!(
        log.split(|&b| b == b'\n')
            .any(|l| drconsole::runbook::audit::sha256_hex(l) == stated)
    );

    // Made again from the journal and the audit log.
    let again = run_limited(s.drconsole(&["report", &run_id]), Duration::from_secs(30));
    assert_eq!(again.code, Some(0), "{}", again.output());
    let all2 = check_page(&again.stdout, &journal, &audit);
    assert_eq!(
        all2.iter().filter(|e| e.name == "g").count(),
        all.iter().filter(|e| e.name == "g").count()
    );
    assert!(again.stdout.contains(stated), "the final head is stated");
    let md = run_limited(
        s.drconsole(&["report", &run_id, "--format", "md"]),
        Duration::from_secs(30),
    );
    assert_eq!(md.code, Some(0), "{}", md.output());
    assert!(
        md.stdout.starts_with("# Runbook report: failover"),
        "{}",
        md.stdout
    );
    let json = run_limited(
        s.drconsole(&["report", &run_id, "--format", "json"]),
        Duration::from_secs(30),
    );
    assert_eq!(json.code, Some(0), "{}", json.output());
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["journal"]["run_id"], Value::String(run_id.clone()));
    assert_eq!(
        v["evidence"]["confirmations"].as_array().unwrap().len(),
        audit.iter().filter(|v| v["event"] == "confirm").count()
    );
    // An unknown run is an error naming the journal it looked for.
    let none = run_limited(
        s.drconsole(&["report", "20990101T000000Z-nothing-0000"]),
        Duration::from_secs(30),
    );
    assert_eq!(none.code, Some(74), "{}", none.output());
}

#[test]
fn every_text_is_escaped() {
    use drconsole::runbook::report::html::esc;
    assert_eq!(
        esc("<script src=\"x\">&'"),
        "&lt;script src=&quot;x&quot;&gt;&amp;&#39;"
    );
    // A control character (not allowed in XML) is replaced, never passed on.
    assert_eq!(esc("a\u{1b}[31mb"), "a\u{fffd}[31mb");
    let page = format!("<p>{}</p>", esc("</p><p a=\"1\">&amp;"));
    let all = parse(&page);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].text, "</p><p a=\"1\">&amp;");
}

#[test]
fn a_finding_is_audited_and_written_into_the_reports_escaped() {
    // On the simulator: no moto needed for this one.
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let audit = dir.path().join("audit.jsonl");
    let cmd = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        c.args(args)
            .arg("--state-dir")
            .arg(&state)
            .arg("--audit-log")
            .arg(&audit)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env_remove("DRCONSOLE_CONFIG")
            .env("USER", "drill-lead")
            .env("NO_COLOR", "1");
        c
    };
    let run = run_limited(
        cmd(&[
            "run",
            "failover",
            "--yes",
            "--allow-irreversible",
            "--allow-data-loss",
            "--sim-speed",
            "1000",
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.output());
    let journal_path = std::fs::read_dir(state.join("runs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let journal: Value = serde_json::from_slice(&std::fs::read(&journal_path).unwrap()).unwrap();
    let run_id = journal["run_id"].as_str().unwrap();
    let finding = "DNS <TTL> & \"cache\" kept clients on us-east-1 for 4 min";
    let out = run_limited(
        cmd(&["report", run_id, "--finding", finding]),
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.output());
    let lines = audit_lines(&audit);
    let f = lines
        .iter()
        .find(|v| v["event"] == "finding")
        .expect("audited");
    assert_eq!(f["text"], finding);
    assert_eq!(f["user"], "drill-lead");
    assert_eq!(f["run_id"], run_id);
    let html = std::fs::read_to_string(state.join("runs").join(format!("{run_id}.html"))).unwrap();
    let all = check_page(&html, &journal, &lines);
    let table = (0..all.len())
        .find(|&i| all[i].name == "table" && all[i].attr("id") == Some("findings"))
        .expect("a findings table");
    assert!(text_within(&all, table).contains(finding));
    let md = std::fs::read_to_string(state.join("runs").join(format!("{run_id}.md"))).unwrap();
    assert!(md.contains("## Findings") && md.contains(finding), "{md}");
    // The chain still holds with the finding appended after the run.
    let verify = run_limited(cmd(&["audit", "verify"]), Duration::from_secs(30));
    assert_eq!(verify.code, Some(0), "{}", verify.output());
    // An empty finding is refused.
    let empty = run_limited(
        cmd(&["report", run_id, "--finding", "  "]),
        Duration::from_secs(30),
    );
    assert_eq!(empty.code, Some(74), "{}", empty.output());
}
