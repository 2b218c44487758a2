//! Runbooks as written in the estate file: their shape (ordered steps, parallel groups, ids)
//! and the keys every step has. What a `kind` accepts belongs to that step kind (the runbook
//! engine's `steps/` folder, one file per kind); here a step keeps its own keys as data.
//!
//! ```toml
//! [runbooks.failover]
//! description = "Promote the replica and serve from us-west-2"
//!
//! [[runbooks.failover.steps]]
//! kind = "check"
//! require = [{ region_reachable = "standby" }]
//!
//! [[runbooks.failover.steps]]
//! kind = "parallel"                # the steps inside run at the same time, confirmed once
//! title = "database and capacity"
//!
//!   [[runbooks.failover.steps.steps]]
//!   kind = "promote_replica"
//! ```
//!
//! Keys every step accepts: `id` (unique within the runbook; default: its position, `3` or
//! `2.1` inside a group), `title`, `timeout` (how long verification may take) and `optional`
//! (the step may be skipped without failing the run).

mod values;

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use values::{CapacityTarget, Condition, Count, side_name};

use super::HumanDuration;

/// `kind = "parallel"`: a group, not a step kind of its own.
pub const PARALLEL: &str = "parallel";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookSpec {
    pub description: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

/// One step as written: the keys every step has, its kind, the kind's own keys, and for a
/// parallel group the steps inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSpec {
    pub common: Common,
    /// `kind = "..."` as written.
    pub kind: String,
    /// The kind's own keys (everything but `kind` and the common keys).
    pub params: Map<String, Value>,
    /// The steps of a parallel group; empty for any other step.
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

const COMMON_KEYS: [&str; 4] = ["id", "title", "timeout", "optional"];

impl StepSpec {
    /// A step of `kind` whose own keys are `params` serialized (a step kind's spec struct).
    pub fn of<T: Serialize>(kind: &str, params: &T) -> StepSpec {
        let params = match serde_json::to_value(params) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        StepSpec {
            common: Common::default(),
            kind: kind.to_string(),
            params,
            steps: Vec::new(),
        }
    }
    /// A parallel group of `steps`.
    pub fn group(steps: Vec<StepSpec>) -> StepSpec {
        StepSpec {
            common: Common::default(),
            kind: PARALLEL.to_string(),
            params: Map::new(),
            steps,
        }
    }
    pub fn titled(mut self, title: &str) -> StepSpec {
        self.common.title = Some(title.to_string());
        self
    }
    pub fn optional(mut self) -> StepSpec {
        self.common.optional = true;
        self
    }
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> StepSpec {
        self.common.timeout = Some(HumanDuration(timeout));
        self
    }
    pub fn with_id(mut self, id: &str) -> StepSpec {
        self.common.id = Some(id.to_string());
        self
    }
    pub fn is_group(&self) -> bool {
        self.kind == PARALLEL
    }
    pub fn id(&self) -> &str {
        self.common.id.as_deref().unwrap_or("")
    }
    /// The kind's own keys read as `T` (a step kind's spec struct).
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(Value::Object(self.params.clone())).map_err(|e| e.to_string())
    }
}

impl RunbookSpec {
    /// Checks the shape every runbook must have, whatever its kinds: at least one step,
    /// unique non-empty ids, groups neither empty nor nested.
    pub fn check_shape(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("expected at least one step in `steps`".into());
        }
        let mut ids = BTreeSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            check_step_shape(step, &format!("{}", i + 1), &mut ids, false)?;
        }
        Ok(())
    }

    /// The same steps with every parallel group unrolled in order: how a sequential script runs.
    pub fn sequential(&self) -> RunbookSpec {
        fn flatten(steps: &[StepSpec], out: &mut Vec<StepSpec>) {
            for s in steps {
                if s.is_group() {
                    flatten(&s.steps, out)
                } else {
                    out.push(s.clone())
                }
            }
        }
        let mut steps = Vec::new();
        flatten(&self.steps, &mut steps);
        RunbookSpec {
            description: self.description.clone(),
            steps,
        }
    }
}

fn check_step_shape(
    step: &StepSpec,
    pos: &str,
    ids: &mut BTreeSet<String>,
    in_group: bool,
) -> Result<(), String> {
    let at = |m: &str| format!("step {pos} ({}): {m}", step.kind);
    if let Some(id) = &step.common.id {
        if id.is_empty() {
            return Err(at("expected a non-empty `id`"));
        }
        if !ids.insert(id.clone()) {
            return Err(at(&format!("duplicate step id {id:?}")));
        }
    }
    if step.is_group() {
        if in_group {
            return Err(at("parallel groups cannot be nested"));
        }
        if step.steps.is_empty() {
            return Err(at("expected steps inside the parallel group"));
        }
        for (i, s) in step.steps.iter().enumerate() {
            check_step_shape(s, &format!("{pos}.{}", i + 1), ids, true)?;
        }
    }
    Ok(())
}

/// Gives every step an id: written ones are kept, others get their position (`3`, `2.1`).
pub fn assign_ids(steps: &mut [StepSpec], prefix: &str) {
    for (i, step) in steps.iter_mut().enumerate() {
        let pos = if prefix.is_empty() {
            format!("{}", i + 1)
        } else {
            format!("{prefix}.{}", i + 1)
        };
        let id = step.common.id.get_or_insert(pos).clone();
        assign_ids(&mut step.steps, &id);
    }
}

impl<'de> Deserialize<'de> for StepSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        // Split the keys every step has from the kind's own, so that both are checked for
        // unknown names (serde's `flatten` would lose `deny_unknown_fields`).
        let Value::Object(mut map) = Value::deserialize(d)? else {
            return Err(D::Error::custom("expected a step table with a `kind` key"));
        };
        let mut common = Map::new();
        for key in COMMON_KEYS {
            if let Some(v) = map.remove(key) {
                common.insert(key.to_string(), v);
            }
        }
        let kind = match map.remove("kind") {
            Some(Value::String(k)) => k,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "expected `kind` to be a string, found {other}"
                )));
            }
            None => return Err(D::Error::custom("expected a `kind` key in every step")),
        };
        let common: Common = serde_json::from_value(Value::Object(common))
            .map_err(|e| D::Error::custom(format!("step {kind}: {e}")))?;
        let mut steps = Vec::new();
        if kind == PARALLEL {
            let inner = map.remove("steps").unwrap_or(Value::Array(Vec::new()));
            steps = serde_json::from_value(inner)
                .map_err(|e| D::Error::custom(format!("step {kind}: {e}")))?;
            if let Some(key) = map.keys().next() {
                return Err(D::Error::custom(format!(
                    "step {kind}: unknown field `{key}`, expected `steps`"
                )));
            }
        }
        Ok(StepSpec {
            common,
            kind,
            params: map,
            steps,
        })
    }
}

impl Serialize for StepSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut map = self.params.clone();
        map.insert("kind".into(), Value::String(self.kind.clone()));
        if self.is_group() {
            map.insert(
                "steps".into(),
                serde_json::to_value(&self.steps).map_err(S::Error::custom)?,
            );
        }
        if let Value::Object(c) = serde_json::to_value(&self.common).map_err(S::Error::custom)? {
            map.extend(c);
        }
        map.serialize(s)
    }
}
