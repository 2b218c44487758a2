//! What a headless run prints where the console would ask: a step's confirmation (answered
//! by the flags given, or refused with the flags it needs) and a wait for another operator's
//! approval.

use std::io::Write;

use tokio::sync::mpsc::UnboundedSender;

use super::HeadlessOptions;
use crate::runbook::api::{ApprovalWait, ConfirmPrompt, RunCommand, ShownLoss};

/// Prints the confirmation `p` and answers it by the flags given; when they do not cover it,
/// stops the run and returns whether that is because its loss grew past the one shown.
pub(super) fn confirm(
    p: &ConfirmPrompt,
    opts: &HeadlessOptions,
    commands: &UnboundedSender<RunCommand>,
    out: &mut impl Write,
) -> Option<bool> {
    let _ = writeln!(out, "== {} {}", p.step, p.title);
    for c in &p.changes {
        let _ = writeln!(out, "   {c}");
    }
    for w in &p.warnings {
        let _ = writeln!(out, "   warning: {w}");
    }
    if let Some(i) = &p.instruction {
        let _ = writeln!(out, "   manual: {i} (acknowledged by --yes)");
    }
    for d in &p.discards {
        let _ = writeln!(out, "   DATA LOSS: {d}");
    }
    // Confirmed by the flags given, as given; a step they do not cover stops
    // the run (checked before the first change too: this is what changed since).
    let given = opts.given_flags();
    let missing = p.missing_flags(&given, opts.shown_loss);
    if missing.is_empty() {
        let _ = commands.send(RunCommand::ConfirmByFlags {
            flags: given,
            shown_loss: opts.shown_loss,
        });
        return None;
    }
    let mut loss_grew = false;
    let why = match opts.shown_loss {
        Some(shown) if !p.discards.is_empty() && !p.loss_within(shown) => {
            loss_grew = true;
            format!(
                "its data loss now ({}) is unknown or larger than the loss confirmed ({})",
                p.losses
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
                shown_text(shown)
            )
        }
        _ => format!("it needs {}", missing.join(" ")),
    };
    let _ = writeln!(
        out,
        "refused: {}: {why}; run again with {}",
        p.step,
        missing.join(" ")
    );
    let _ = commands.send(RunCommand::Stop { reason: why });
    Some(loss_grew)
}

/// Prints a wait for another operator's approval, with the plan they approve.
pub(super) fn approval(w: &ApprovalWait, out: &mut impl Write) {
    let _ = writeln!(
        out,
        "== {} {}: waiting for approval by another operator until {} UTC\n   \
         plan sha256 {}",
        w.step,
        w.title,
        w.expires_at.format("%H:%M:%S"),
        w.plan_sha256
    );
    for l in &w.plan {
        let _ = writeln!(out, "   {l}");
    }
    let _ = writeln!(
        out,
        "   another operator approves with: {} (or, following this run in the \
         console: a, then {})",
        w.command, w.step
    );
}

/// `up to 12s` / `unknown`: what an evacuation showed for an estate.
fn shown_text(s: ShownLoss) -> String {
    match s.up_to_secs {
        Some(0) => "none".into(),
        Some(secs) => format!("up to {}", crate::timefmt::secs(secs)),
        None => "unknown".into(),
    }
}
