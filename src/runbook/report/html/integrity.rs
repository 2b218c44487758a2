//! The integrity table in the HTML report: the estate file's hash, the audit log and its
//! chain head, and how to verify them.

use super::{Inputs, row};

pub(super) fn integrity(out: &mut String, i: &Inputs) {
    let e = i.evidence;
    let j = i.journal;
    out.push_str("<h2>Integrity</h2>\n<table id=\"integrity\">\n");
    row(
        out,
        &[
            "estate file SHA-256",
            e.estate_sha256
                .as_deref()
                .unwrap_or("not recorded (the simulator's built-in estate, or no file)"),
        ],
    );
    let head = j
        .audit_head
        .as_ref()
        .map(|a| (a.head.clone(), a.file.display().to_string()))
        .or_else(|| {
            e.head.clone().map(|h| {
                (
                    h,
                    e.audit_file
                        .as_ref()
                        .map(|f| f.display().to_string())
                        .unwrap_or_default(),
                )
            })
        });
    match head {
        Some((h, file)) => {
            row(out, &["audit log", &file]);
            row(
                out,
                &[
                    "audit chain head",
                    &format!("seq {} sha256 {}", h.seq, h.sha256),
                ],
            );
        }
        None => row(out, &["audit chain head", "not recorded"]),
    }
    row(
        out,
        &[
            "check",
            "drconsole audit verify (exit 0: no line changed, removed, inserted or reordered)",
        ],
    );
    out.push_str("</table>\n");
}
