//! What a step kind tells the engine: its plan before the operator confirms, its verdict
//! while the engine waits, and the memory it keeps in the journal between the two.

use serde::{Deserialize, Serialize};

use crate::backend::Action;
use crate::model::Lag;

/// Memory a step keeps in the journal between preflight, action and verification, so that a
/// resumed run verifies the change it already made instead of making it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepMemo {
    /// `describe()` of every call that succeeded.
    #[serde(default)]
    pub calls_done: Vec<String>,
    /// Route 53 change to follow to INSYNC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
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
    /// Set when preflight alone finishes the step (a check): the note it is done with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Done(String),
    Pending(String),
}
