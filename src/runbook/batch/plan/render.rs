//! The text of an evacuation's plan: per estate a heading (its steps, calls and loss), then
//! each step on one line with its calls, change, loss and warnings below.

use super::EstatePlan;

/// The text of every estate's plan: a heading per estate (its calls and its loss), then its
/// steps, one line each, with their calls, change and loss indented below.
pub fn render_plans(plans: &[EstatePlan]) -> String {
    let mut s = String::new();
    for p in plans {
        s.push_str(&render_plan(p));
        s.push('\n');
    }
    s
}

/// One estate's plan (see [`render_plans`]).
pub fn render_plan(p: &EstatePlan) -> String {
    let loss = match p.loss {
        Some(l) => format!("DATA LOSS {l}"),
        None => "no data loss".into(),
    };
    let mut s = match &p.error {
        Some(e) => format!("== {}: {} cannot run: {e}\n", p.estate, p.runbook),
        None => format!(
            "== {}: {}, {} step(s), {} call(s), {loss}\n",
            p.estate,
            p.runbook,
            p.steps.len(),
            p.call_count()
        ),
    };
    for step in &p.steps {
        let mut marks = Vec::new();
        if step.irreversible {
            marks.push("irreversible");
        }
        if step.optional {
            marks.push("optional");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        let what = match (&step.skip, &step.unplanned) {
            (Some(why), _) => format!("SKIP, {why}"),
            (None, Some(why)) => why.clone(),
            (None, None) if step.calls.is_empty() => "no call".into(),
            (None, None) => format!("{} call(s)", step.calls.len()),
        };
        s.push_str(&format!("  {}: {}{marks} — {what}\n", step.id, step.title));
        for c in &step.calls {
            s.push_str(&format!("      call {c}\n"));
        }
        if let Some(c) = step.change.as_ref().filter(|_| step.skip.is_none()) {
            s.push_str(&format!("      {c}\n"));
        }
        if let Some(d) = &step.discards {
            s.push_str(&format!("      DATA LOSS: {d}\n"));
        }
        for w in &step.warnings {
            s.push_str(&format!("      warning: {w}\n"));
        }
    }
    s
}
