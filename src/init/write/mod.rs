//! The estate file `init` writes: the format users already know, each value preceded by where
//! it came from and each guess or gap by a `# CHECK:` comment.

mod compute;
mod database;
mod dns;

use std::fmt::Write as _;

use super::draft::*;
use crate::model::Side;

/// How the file is written.
#[derive(Debug, Clone, Default)]
pub struct Style {
    pub primary_profile: Option<String>,
    pub standby_profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// The estate checker knows `endpoint_secret_key` (else a JSON secret is left commented
    /// out: writing the whole secret would drop its other keys).
    pub secret_key_supported: bool,
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn notes(out: &mut String, notes: &[Note]) {
    for n in notes {
        let _ = writeln!(out, "{}", n.line());
    }
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Primary => "primary",
        Side::Standby => "standby",
    }
}

/// The file's text.
pub fn render(d: &Draft, style: &Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Written by `drconsole init` from {}.",
        d.sources.join(", ")
    );
    o.push_str(
        "# Each value says where it came from; each `# CHECK:` is a guess or a gap to look at.\n",
    );
    if !d.missing.is_empty() {
        let _ = writeln!(
            o,
            "# DRAFT: {} required value(s) not found; `drconsole check` fails until they are filled in.",
            d.missing.len()
        );
        for m in &d.missing {
            let _ = writeln!(o, "# CHECK: MISSING {} (looked: {})", m.what, m.looked);
        }
    }
    notes(&mut o, &d.notes);
    o.push('\n');
    notes(&mut o, &d.name_notes);
    let _ = writeln!(o, "name = {}", q(&d.name));
    for (side, profile) in [
        (Side::Primary, &style.primary_profile),
        (Side::Standby, &style.standby_profile),
    ] {
        let _ = writeln!(o, "\n[{}]", side_name(side));
        let _ = writeln!(o, "region = {}", q(d.region(side)));
        if let Some(p) = profile {
            let _ = writeln!(o, "profile = {}", q(p));
        }
        if let Some(u) = &style.endpoint_url {
            let _ = writeln!(o, "endpoint_url = {}", q(u));
        }
    }
    if let Some(db) = &d.database {
        database::section(&mut o, db, style);
    }
    if let Some(e) = &d.ecs {
        compute::ecs(&mut o, e);
    }
    compute::asgs(&mut o, &d.asgs);
    compute::target_groups(&mut o, &d.target_groups);
    if let Some(x) = &d.dns {
        dns::section(&mut o, x);
    }
    for h in &d.health_checks {
        o.push_str("\n[[health_checks]]\n");
        notes(&mut o, &h.notes);
        let _ = writeln!(o, "id = {}", q(&h.id));
        let _ = writeln!(o, "label = {}", q(&h.label));
        let _ = writeln!(o, "region = {}", q(side_name(h.side)));
    }
    for a in &d.alarms {
        o.push_str("\n[[alarms]]\n");
        notes(&mut o, &a.notes);
        let _ = writeln!(o, "name = {}", q(&a.name));
        let _ = writeln!(o, "region = {}", q(side_name(a.side)));
    }
    o
}
