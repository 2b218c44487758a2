//! What an operator sends a running engine, and the prompt a step is confirmed with: its
//! calls, and the text or the flags confirming it needs.

use serde::{Deserialize, Serialize};

/// What the operator decides, sent to a running engine.
#[derive(Debug, Clone, PartialEq)]
pub enum RunCommand {
    /// Go ahead with the step awaiting confirmation. An irreversible step needs
    /// `typed_region` equal to its target region's AWS name (e.g. `us-west-2`).
    Confirm { typed_region: Option<String> },
    /// Go ahead on the strength of command-line flags (an unattended run): the audit log
    /// records the flags, not a typed text. The step's needs are checked against them:
    /// `--yes` always, `--allow-irreversible` for an irreversible call, `--allow-data-loss`
    /// when confirming discards acknowledged writes.
    /// `shown_loss`: in an evacuation, the loss its typed phrase accepted for this estate.
    ConfirmByFlags {
        flags: Vec<String>,
        shown_loss: Option<ShownLoss>,
    },
    /// Stop the run here, decided by the program and not by an operator (an unattended run
    /// that may not confirm a step): audited as a stop, with its reason.
    Stop { reason: String },
    /// Preflight the failed (or awaiting) step again and ask again.
    Retry,
    /// Leave the step (or the failed steps of a group) undone; the reason is logged.
    Skip { reason: String },
    /// Stop the run here. Nothing already done is undone.
    Abort,
    /// Approve another operator's step (a console following that run): the step id typed.
    /// A run's own engine ignores it: its operator cannot approve their own step.
    Approve { step: String },
    /// Stop here without ending the run: its journal stays unfinished, so that the same run
    /// can be resumed later (every unfinished step is preflighted again, AWS read first).
    /// Answers a question (confirmation or failure), like [`RunCommand::Abort`].
    Suspend { reason: String },
}

/// One planned call, as listed in a confirmation prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCall {
    pub step: String,
    pub call: String,
    pub describe: String,
    pub irreversible: bool,
}

/// What a step (or a parallel group) will do, shown before the operator confirms it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmPrompt {
    /// The step or group awaiting confirmation.
    pub step: String,
    pub title: String,
    pub calls: Vec<PlannedCall>,
    /// One line per step: `title: current → target`.
    pub changes: Vec<String>,
    pub warnings: Vec<String>,
    /// Set when a call is irreversible: the AWS region name to type back.
    pub type_to_confirm: Option<String>,
    /// A manual step's instruction.
    pub instruction: Option<String>,
    /// What confirming throws away (acknowledged writes a promotion abandons), one line per
    /// step; when any, `type_to_confirm` ends with [`DISCARD`].
    #[serde(default)]
    pub discards: Vec<String>,
    /// The losses behind `discards`, typed (what an evacuation compares with what it showed).
    #[serde(default)]
    pub losses: Vec<crate::runbook::plan::Loss>,
    /// Steps whose program or function was started and whose outcome is unknown: confirming
    /// runs them again, which needs [`RERUN`] typed (headless: `--rerun-unknown STEP`).
    #[serde(default)]
    pub rerun_unknown: Vec<String>,
}

impl ConfirmPrompt {
    /// The flags an unattended run must have been given to confirm this prompt: `--yes`;
    /// `--allow-irreversible` for an irreversible call; `--allow-data-loss` for a loss not
    /// known to be zero; `--rerun-unknown STEP` for each step whose outcome is unknown.
    pub fn needed_flags(&self) -> Vec<String> {
        let mut f = vec!["--yes".to_string()];
        if self.calls.iter().any(|c| c.irreversible) {
            f.push("--allow-irreversible".into());
        }
        if !self.discards.is_empty() {
            f.push("--allow-data-loss".into());
        }
        f.extend(
            self.rerun_unknown
                .iter()
                .map(|s| format!("--rerun-unknown {s}")),
        );
        f
    }

    /// Of [`Self::needed_flags`], those not in `given`. `shown`, an evacuation's confirmed
    /// loss, stands for `--allow-data-loss` only when every loss here is within it.
    pub fn missing_flags(&self, given: &[String], shown: Option<ShownLoss>) -> Vec<String> {
        let covered = shown.is_some_and(|s| self.loss_within(s));
        self.needed_flags()
            .into_iter()
            .filter(|f| !given.contains(f))
            .filter(|f| !(covered && f == "--allow-data-loss"))
            .collect()
    }

    /// Whether every loss this prompt states is within what `shown` confirmed.
    pub fn loss_within(&self, shown: ShownLoss) -> bool {
        self.losses.len() == self.discards.len()
            && self.losses.iter().all(|l| l.within(shown.up_to_secs))
    }
}

/// The data loss an evacuation showed for one estate, which its typed phrase accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownLoss {
    /// The replica lag shown, in seconds; `None` when it was not known (then no loss is
    /// within it).
    pub up_to_secs: Option<u64>,
}

/// The word typed after the region's name to accept losing acknowledged writes.
pub const DISCARD: &str = "DISCARD";

/// The word typed to run again a program or function whose earlier run's outcome is unknown.
pub const RERUN: &str = "RERUN";
