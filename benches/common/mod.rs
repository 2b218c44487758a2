//! What the simulator benches share: a run driven to its end, every question answered yes.

use drconsole::runbook::{RunCommand, RunEvent, RunHandle, RunOutcome, RunSummary};

/// Confirms every step (typing what it asks for) and returns the completed run's summary;
/// a failure or an unfinished run is an error.
pub async fn confirm_to_the_end(h: &mut RunHandle, name: &str) -> Result<RunSummary, String> {
    let summary = loop {
        match h.events.recv().await {
            Some(RunEvent::AwaitingConfirmation(p)) => {
                let _ = h.commands.send(RunCommand::Confirm {
                    typed_region: p.type_to_confirm,
                });
            }
            Some(RunEvent::AwaitingDecision { step, error, .. }) => {
                return Err(format!("{name}: {step} failed: {error}"));
            }
            Some(RunEvent::Finished(s)) => break s,
            Some(_) => {}
            None => return Err(format!("{name} stopped without finishing")),
        }
    };
    if summary.outcome != RunOutcome::Completed {
        return Err(format!("{name}: {:?}", summary.outcome));
    }
    Ok(summary)
}
