//! The confirmation gate: a step's plan is logged and shown, and nothing is called until the
//! operator confirms it (typing the region's name back for an irreversible call) or unattended
//! flags cover everything it needs.

use serde_json::json;

use super::{Decision, Engine};
use crate::runbook::api::{ConfirmPrompt, Level, RunCommand, RunEvent};

impl Engine {
    pub(super) async fn confirm_gate(&mut self, prompt: ConfirmPrompt) -> Decision {
        let step = prompt.step.clone();
        self.drain(&step);
        for c in &prompt.calls {
            self.rec.log(
                Level::Info,
                Some(&c.step),
                format!(
                    "plan: {}{}",
                    c.describe,
                    if c.irreversible {
                        " (IRREVERSIBLE)"
                    } else {
                        ""
                    }
                ),
            );
        }
        self.rec.log(
            Level::Info,
            Some(&step),
            match &prompt.type_to_confirm {
                Some(r) => {
                    format!("awaiting confirmation: type {r} to confirm the irreversible call")
                }
                None => "awaiting confirmation".into(),
            },
        );
        self.rec
            .emit(RunEvent::AwaitingConfirmation(prompt.clone()));
        loop {
            let Some(cmd) = self.next_command().await else {
                return Decision::Abort(
                    "the command channel closed while awaiting confirmation".into(),
                );
            };
            match cmd {
                RunCommand::Confirm { typed_region } => {
                    if let Some(want) = &prompt.type_to_confirm
                        && typed_region.as_deref().map(str::trim) != Some(want.as_str())
                    {
                        self.rec.audit(
                            Some(&step),
                            "confirm_refused",
                            json!({"user": self.ctx.user, "how": "typed", "typed": typed_region, "expected": want}),
                        );
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            format!(
                                "not confirmed: the irreversible call needs the region name {want} typed back, got {:?}",
                                typed_region.unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    // Typed when the step asked for a text; otherwise a key press.
                    let how = match &prompt.type_to_confirm {
                        Some(_) => json!({"how": "typed", "typed": typed_region}),
                        None => json!({"how": "key"}),
                    };
                    self.confirmed(&prompt, how, format!("confirmed by {}", self.ctx.user));
                    return Decision::Go;
                }
                RunCommand::ConfirmByFlags { flags, shown_loss } => {
                    // The flags the operator gave, never ones made up from the prompt's needs.
                    let missing = prompt.missing_flags(&flags, shown_loss);
                    if !missing.is_empty() {
                        self.rec.audit(
                            Some(&step),
                            "confirm_refused",
                            json!({"user": self.ctx.user, "how": "flags", "flags": flags,
                                   "shown_loss": shown_loss, "missing": missing}),
                        );
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            format!("not confirmed: {} also needs {}", step, missing.join(" ")),
                        );
                        continue;
                    }
                    let text = format!("confirmed by {} with {}", self.ctx.user, flags.join(" "));
                    let mut how = json!({"how": "flags", "flags": flags});
                    if let (Some(s), Some(o)) = (shown_loss, how.as_object_mut()) {
                        o.insert("shown_loss".into(), json!(s));
                        o.insert("losses".into(), json!(prompt.losses));
                    }
                    self.confirmed(&prompt, how, text);
                    return Decision::Go;
                }
                RunCommand::Stop { reason } => return self.stop(&step, reason),
                RunCommand::Retry => {
                    self.rec.log(Level::Info, Some(&step), "preflight again");
                    return Decision::Retry;
                }
                RunCommand::Skip { reason } => {
                    if reason.trim().is_empty() {
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            "skip refused: a reason is required",
                        );
                        continue;
                    }
                    return Decision::Skip(reason);
                }
                RunCommand::Abort => {
                    self.rec.audit(
                        Some(&step),
                        "abort",
                        json!({"by": "operator", "user": self.ctx.user}),
                    );
                    return Decision::Abort(format!("aborted by {} at {step}", self.ctx.user));
                }
                RunCommand::Suspend { reason } => return Decision::Suspend(reason),
                RunCommand::Approve { .. } => self.own_approval(&step),
            }
        }
    }

    fn confirmed(&self, prompt: &ConfirmPrompt, how: serde_json::Value, text: String) {
        let mut details = json!({"user": self.ctx.user,
               "calls": prompt.calls.iter().map(|c| c.describe.clone()).collect::<Vec<_>>(),
               "instruction": prompt.instruction});
        if let (Some(d), Some(h)) = (details.as_object_mut(), how.as_object()) {
            d.extend(h.clone());
        }
        self.rec.audit(Some(&prompt.step), "confirm", details);
        self.rec.log(Level::Info, Some(&prompt.step), text);
    }
}
