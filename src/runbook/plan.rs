//! What a step kind tells the engine: its plan before the operator confirms, its verdict
//! while the engine waits, and the memory it keeps in the journal between the two.

use serde::{Deserialize, Serialize};

use crate::backend::Action;
use crate::model::Lag;

/// Memory a step keeps in the journal between preflight, action and verification, so that a
/// resumed run verifies the change it already made instead of making it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepMemo {
    /// `describe()` of every call that succeeded: for people (the report), never a key.
    #[serde(default)]
    pub calls_done: Vec<String>,
    /// Every call that succeeded, as the action itself: what "done already" is decided by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions_done: Vec<Action>,
    /// Route 53 change to follow to INSYNC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// The id each answered call gave its change (a Route 53 change, the ECS deployment a
    /// forced deployment created), with the call it answered. (Its own name in the journal:
    /// earlier journals keyed these by the call's text, and are read as without any.)
    #[serde(
        default,
        rename = "call_change_ids",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub change_ids: Vec<ByCall>,
    /// The call the step has sent and whose outcome is not known: written to the journal
    /// before the call is made, cleared when its answer is recorded (or AWS says it was not
    /// applied). Found on resume or retry, it means AWS must be read before anything is
    /// repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<Intent>,
}

/// A call's intent, as the journal holds it while the call is under way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub action: Action,
    /// `action.describe()`: the call as shown to the operator and in the audit log.
    pub describe: String,
    /// Estate-time seconds since the run started when the call was sent.
    pub sent_at: f64,
    /// What AWS showed of the change's subject just before the call (see
    /// [`StepPlan::before`]), to tell afterwards whether the call was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Set when the call ended without an answer that says whether it was applied (timeout,
    /// connection lost, server error): why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

impl StepMemo {
    /// Whether `action` (this very call, by its identity, not its text) succeeded in this run.
    pub fn done(&self, action: &Action) -> bool {
        self.actions_done.contains(action)
    }

    /// Records `action` as made.
    pub fn record_done(&mut self, action: &Action) {
        if !self.done(action) {
            self.actions_done.push(action.clone());
            self.calls_done.push(action.describe());
        }
    }

    /// The intent of `action`, when it is the call in flight.
    pub fn in_flight_for(&self, action: &Action) -> Option<&Intent> {
        self.in_flight.as_ref().filter(|i| &i.action == action)
    }
}

/// What a step will do, as shown before the operator confirms it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepPlan {
    pub actions: Vec<Action>,
    pub current: String,
    pub target: String,
    pub warnings: Vec<String>,
    /// Replica lag when the plan was made (for the RPO exposure of a promotion).
    pub lag: Option<Lag>,
    /// A manual step's instruction, acknowledged by the operator.
    pub instruction: Option<String>,
    /// Set when acting discards acknowledged writes: how, and how much. The confirmation then
    /// needs `DISCARD` typed after the region's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discards: Option<String>,
    /// The amount behind `discards`, by [`Loss::of`]: what an evacuation compares with the
    /// loss its operator was shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<Loss>,
    /// Set when a program or a function this step runs was started and how it ended is not
    /// known (a crash while it ran): running it again is a new decision of an operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_outcome: Option<String>,
    /// Set when preflight alone finishes the step (a check): the note it is done with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<String>,
    /// For a call whose effect AWS shows only as "something newer than before" (a forced
    /// deployment): what AWS showed before it, with the call. Recorded with the call's intent,
    /// so that a step resumed with the call in flight can tell whether it was applied.
    #[serde(
        default,
        rename = "before_calls",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub before: Vec<ByCall>,
}

/// A value bound to one call by the call's identity (the action itself, never its text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ByCall {
    pub action: Action,
    pub value: String,
}

/// The value `list` holds for `action`, if any.
pub fn by_call<'a>(list: &'a [ByCall], action: &Action) -> Option<&'a String> {
    list.iter().find(|b| &b.action == action).map(|b| &b.value)
}

/// Sets `list`'s value for `action`, replacing the one it had.
pub fn set_by_call(list: &mut Vec<ByCall>, action: &Action, value: String) {
    match list.iter_mut().find(|b| &b.action == action) {
        Some(b) => b.value = value,
        None => list.push(ByCall {
            action: action.clone(),
            value,
        }),
    }
}

/// What moving the writer now throws away. The one rule every path (a replica promotion, an
/// Aurora failover, a restore from backup, an evacuation; the console and headless) decides
/// by: only a lag that reads 0 is no loss; a lag above 0 loses up to that much; a lag that
/// cannot be read (replication stopped, `ReplicaLag` -1; no datapoint at all) is an unknown
/// loss, never none. Whether the old writer could be read does not change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "loss", rename_all = "snake_case")]
pub enum Loss {
    /// Up to this many seconds of acknowledged writes.
    UpTo { secs: u64 },
    /// Replication stopped (`ReplicaLag` -1).
    Stopped,
    /// No lag reported (no datapoint).
    NoData,
}

impl Loss {
    /// The loss of promoting a replica whose lag reads `lag`; `None` when it is known to be 0.
    pub fn of(lag: Lag) -> Option<Loss> {
        match lag {
            Lag::Known(0) => None,
            Lag::Known(secs) => Some(Loss::UpTo { secs }),
            Lag::Stopped => Some(Loss::Stopped),
            Lag::NoData => Some(Loss::NoData),
        }
    }

    /// Whether this loss is within `shown`, the one an operator confirmed: a known amount no
    /// larger than a known amount shown. An unknown loss is never within anything.
    pub fn within(self, shown: Option<u64>) -> bool {
        match (self, shown) {
            (Loss::UpTo { secs }, Some(max)) => secs <= max,
            _ => false,
        }
    }
}

/// `up to 12s of acknowledged writes`, `unknown: replication stopped`, `unknown: no lag
/// reported`.
impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loss::UpTo { secs } => write!(
                f,
                "up to {} of acknowledged writes",
                crate::timefmt::secs(*secs)
            ),
            Loss::Stopped => f.write_str("unknown: replication stopped"),
            Loss::NoData => f.write_str("unknown: no lag reported"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Done(String),
    Pending(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;

    fn deploy(service: &str) -> Action {
        Action::ForceDeployment {
            side: Side::Standby,
            cluster: "orders".into(),
            service: service.into(),
        }
    }

    #[test]
    fn values_are_bound_to_the_call_itself_and_replaced_not_repeated() {
        let mut list = Vec::new();
        set_by_call(&mut list, &deploy("web"), "ecs-svc/1".into());
        set_by_call(&mut list, &deploy("api"), "ecs-svc/2".into());
        set_by_call(&mut list, &deploy("web"), "ecs-svc/3".into());
        assert_eq!(list.len(), 2);
        assert_eq!(
            by_call(&list, &deploy("web")).map(String::as_str),
            Some("ecs-svc/3")
        );
        assert_eq!(
            by_call(&list, &deploy("api")).map(String::as_str),
            Some("ecs-svc/2")
        );
        assert_eq!(by_call(&list, &deploy("worker")), None);
    }

    /// A journal written when these were keyed by the call's text still reads (without them):
    /// a run interrupted by an upgrade resumes, reading AWS for what it no longer knows.
    #[test]
    fn a_journal_keyed_by_text_still_reads() {
        let memo: StepMemo = serde_json::from_value(serde_json::json!({
            "calls_done": ["ecs:UpdateService orders/web (force new deployment)"],
            "change_ids": {"ecs:UpdateService orders/web (force new deployment)": "ecs-svc/1"},
        }))
        .expect("old memo reads");
        assert!(memo.change_ids.is_empty());
        let plan: StepPlan = serde_json::from_value(serde_json::json!({
            "actions": [], "current": "", "target": "", "warnings": [], "lag": null,
            "instruction": null,
            "before": {"ecs:UpdateService orders/web (force new deployment)": "ecs-svc/1"},
        }))
        .expect("old plan reads");
        assert!(plan.before.is_empty());
        let round: StepMemo = serde_json::from_value(
            serde_json::to_value(StepMemo {
                change_ids: vec![ByCall {
                    action: deploy("web"),
                    value: "ecs-svc/1".into(),
                }],
                ..StepMemo::default()
            })
            .expect("memo writes"),
        )
        .expect("memo reads");
        assert_eq!(
            by_call(&round.change_ids, &deploy("web")).map(String::as_str),
            Some("ecs-svc/1")
        );
    }
}
