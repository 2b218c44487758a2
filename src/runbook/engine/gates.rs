//! The questions a run asks: confirm what a step will do ([`super::confirm`]), or decide after
//! a failure ([`super::failure`]). Only a command sent after the question was asked can answer
//! it; an approval from the run's own console or a stop decided by the program answers any.

use serde_json::json;

use super::{Decision, Engine};
use crate::runbook::api::{Level, RunCommand};

impl Engine {
    /// Drops commands sent before the question was asked: a stray key press must not
    /// confirm a step the operator has not seen yet.
    pub(super) fn drain(&mut self, step: &str) {
        while let Ok(cmd) = self.cmds.try_recv() {
            self.rec.log(
                Level::Info,
                Some(step),
                format!("ignored {cmd:?}: sent before the question was asked"),
            );
        }
    }

    pub(super) async fn next_command(&mut self) -> Option<RunCommand> {
        if !self.cmds_open {
            return None;
        }
        let c = self.cmds.recv().await;
        if c.is_none() {
            self.cmds_open = false;
        }
        c
    }

    /// An operator's approval of a step of their own run: never an approval.
    pub(super) fn own_approval(&self, step: &str) {
        self.rec.log(
            Level::Warn,
            Some(step),
            "an approval from this run's own console is refused: another operator approves",
        );
    }

    /// A stop the program decided (an unattended run that may not go on): audited as such,
    /// never as an operator's abort.
    pub(super) fn stop(&self, step: &str, reason: String) -> Decision {
        self.rec.audit(
            Some(step),
            "stop",
            json!({"by": "drconsole", "reason": reason}),
        );
        Decision::Abort(format!("stopped at {step}, not by an operator: {reason}"))
    }
}
