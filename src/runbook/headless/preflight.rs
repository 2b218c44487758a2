//! What is settled before a headless run starts: the regions its runbook calls (whose
//! accounts are verified), the flags its steps need beyond those given, and the refusal,
//! said and audited, when one is missing or an account is not the pinned one.

use std::io::Write;

use super::{HeadlessOptions, consent};
use crate::runbook::api::RunContext;
use crate::runbook::audit::AuditLog;
use crate::runbook::reader::Reader;

/// The flags the runbook `name` still needs beyond those given (see [`consent`]).
pub(super) async fn missing_consent(
    ctx: &RunContext,
    reader: &Reader,
    name: &str,
    journal: Option<&crate::runbook::journal::Journal>,
    opts: &HeadlessOptions,
) -> Vec<consent::Missing> {
    let spec = match journal {
        Some(j) => Some(j.spec.clone()),
        None => crate::runbook::defaults::resolve(&ctx.estate, name),
    };
    let Some(steps) =
        spec.and_then(|spec| crate::runbook::step::compile(&spec, &ctx.estate, &ctx.registry).ok())
    else {
        // The run fails on its own error, before any change.
        return Vec::new();
    };
    let reader = reader
        .clone()
        .touching(&crate::runbook::step::sides_of(&steps, &ctx.estate));
    consent::missing(&reader, &steps, journal, opts).await
}

/// Says and audits a refusal for missing flags; returns its reason.
pub(super) fn refuse_missing(
    ctx: &RunContext,
    name: &str,
    missing: &[consent::Missing],
    opts: &HeadlessOptions,
    out: &mut impl Write,
) -> String {
    let mut flags: Vec<String> = Vec::new();
    for m in missing {
        if !flags.contains(&m.flag) {
            flags.push(m.flag.clone());
        }
    }
    let _ = writeln!(
        out,
        "refused before any change: the flags given do not cover every step of {name}"
    );
    for m in missing {
        let _ = writeln!(out, "   {} needs {}: {}", m.step, m.flag, m.why);
    }
    let _ = writeln!(
        out,
        "nothing was called; missing: {} (run again with them to accept that)",
        flags.join(" ")
    );
    let why = format!(
        "missing {}: {}",
        flags.join(" "),
        missing
            .iter()
            .map(|m| format!("{} {}", m.step, m.why))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let written = AuditLog::open(&ctx.audit_path).and_then(|log| {
        log.write(
            "-",
            None,
            "run_refused",
            serde_json::json!({"runbook": name, "user": ctx.user, "estate": ctx.estate.name,
                               "reason": why, "flags": opts.given_flags(),
                               "shown_loss": opts.shown_loss,
                               "missing": flags}),
        )
    });
    if let Err(e) = written {
        let _ = writeln!(
            out,
            "warning: the refusal could not be written to the audit log {}: {e}",
            ctx.audit_path.display()
        );
    }
    why
}

/// Says and audits a refusal for an account not verified. A refused run has no run id and no
/// journal: the audit line says who tried what, and why.
pub(super) fn refuse_accounts(ctx: &RunContext, name: &str, why: &str, out: &mut impl Write) {
    let _ = writeln!(
        out,
        "refused: {why}\nnothing was called: use the credentials of the pinned account \
         (or correct `account_id` in the estate file) and run the same command again"
    );
    let written = AuditLog::open(&ctx.audit_path).and_then(|log| {
        log.write(
            "-",
            None,
            "run_refused",
            serde_json::json!({"runbook": name, "user": ctx.user, "estate": ctx.estate.name,
                               "reason": why,
                               "accounts": crate::runbook::accounts::audit_fields(&ctx.accounts)}),
        )
    });
    if let Err(e) = written {
        let _ = writeln!(
            out,
            "warning: the refusal could not be written to the audit log {}: {e}",
            ctx.audit_path.display()
        );
    }
}

/// The regions the runbook `name` calls (both when it cannot be built: the run then fails
/// on its own error).
pub(super) fn touched_sides(ctx: &RunContext, name: &str) -> Vec<crate::model::Side> {
    crate::runbook::defaults::resolve(&ctx.estate, name)
        .and_then(|spec| crate::runbook::step::compile(&spec, &ctx.estate, &ctx.registry).ok())
        .map(|steps| crate::runbook::step::sides_of(&steps, &ctx.estate))
        .unwrap_or_else(|| crate::model::Side::BOTH.to_vec())
}
