//! Consent checked before the first change: every step the run has left that needs more
//! than `--yes` (an irreversible call, a data loss, a program whose outcome is unknown) is
//! planned now, on what AWS and the journal show, and the flags given must cover each one.
//! A step that cannot be planned now is checked again, by the same rule, when it comes.

use super::HeadlessOptions;
use crate::runbook::journal::Journal;
use crate::runbook::reader::Reader;
use crate::runbook::step::Step;
use crate::runbook::steps::StepCx;

/// One flag a step needs that was not given.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub step: String,
    pub flag: String,
    pub why: String,
}

/// What the flags in `opts` leave uncovered in `steps` (those not finished in `journal`).
pub async fn missing(
    reader: &Reader,
    steps: &[Step],
    journal: Option<&Journal>,
    opts: &HeadlessOptions,
) -> Vec<Missing> {
    let given = opts.given_flags();
    let has = |f: &str| given.iter().any(|g| g == f);
    let mut out = Vec::new();
    for unit in steps {
        for s in unit.members() {
            let record = journal.and_then(|j| j.step(s.id()));
            if record.is_some_and(|r| r.status.is_final()) {
                continue;
            }
            if !s.irreversible() && !s.consent_from_state() {
                continue;
            }
            let memo = record.map(|r| r.memo.clone()).unwrap_or_default();
            let cx = StepCx {
                reader,
                memo: &memo,
                run_id: journal.map_or("", |j| j.run_id.as_str()),
                step_id: s.id(),
                run_started: journal.map_or_else(chrono::Utc::now, |j| j.started_at),
            };
            let mut need = |flag: String, why: String| {
                if !has(&flag) {
                    out.push(Missing {
                        step: s.id().to_string(),
                        flag,
                        why,
                    });
                }
            };
            match s.preflight(&cx).await {
                Ok(p) => {
                    if s.irreversible() && !p.actions.is_empty() {
                        need(
                            "--allow-irreversible".into(),
                            "makes an irreversible call".into(),
                        );
                    }
                    if let Some(d) = &p.discards {
                        let covered = opts.shown_loss.is_some_and(|shown| {
                            p.loss.is_some_and(|l| l.within(shown.up_to_secs))
                        });
                        if !covered {
                            need("--allow-data-loss".into(), format!("discards {d}"));
                        }
                    }
                    if let Some(u) = &p.unknown_outcome {
                        need(format!("--rerun-unknown {}", s.id()), u.clone());
                    }
                }
                // Not plannable now: an irreversible step still needs its flag; the rest is
                // checked when the step comes.
                Err(_) if s.irreversible() => need(
                    "--allow-irreversible".into(),
                    "makes an irreversible call".into(),
                ),
                Err(_) => {}
            }
        }
    }
    out
}
