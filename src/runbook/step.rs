//! A runbook ready to run: each step as written (ids assigned) with the behaviour of its kind,
//! built through the [`Registry`] and checked against the estate.

use std::sync::Arc;
use std::time::Duration;

use super::error::{SpecError, StepError};
use super::plan::{StepPlan, Verdict};
use super::steps::{Milestone, Registry, StepCx, StepKind};
use crate::config::Estate;
use crate::config::runbook::{RunbookSpec, StepSpec, assign_ids};
use crate::model::Side;

/// One step: as written, and what it does.
#[derive(Debug, Clone)]
pub struct Step {
    pub spec: StepSpec,
    /// The kind's own name (an alias as written becomes the kind's name).
    pub kind_name: String,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    Kind(Arc<dyn StepKind>),
    /// A parallel group: its steps run at the same time, confirmed once.
    Group(Vec<Step>),
}

impl Step {
    pub fn id(&self) -> &str {
        self.spec.id()
    }
    pub fn optional(&self) -> bool {
        self.spec.common.optional
    }
    /// The title written, or the kind's (a group: its steps' titles).
    pub fn title(&self) -> String {
        if let Some(t) = &self.spec.common.title {
            return t.clone();
        }
        match &self.body {
            Body::Kind(k) => k.title(),
            Body::Group(steps) => steps
                .iter()
                .map(Step::title)
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
    /// How long verification may take: written, or the kind's default.
    pub fn timeout(&self) -> Duration {
        match (&self.spec.common.timeout, &self.body) {
            (Some(t), _) => t.0,
            (None, Body::Kind(k)) => k.default_timeout(),
            (None, Body::Group(_)) => Duration::from_secs(60),
        }
    }
    /// The steps that do the work: the group's members, or the step itself.
    pub fn members(&self) -> Vec<&Step> {
        match &self.body {
            Body::Group(steps) => steps.iter().collect(),
            Body::Kind(_) => vec![self],
        }
    }
    /// Whether the kind's call cannot be undone (a group: never itself).
    pub fn irreversible(&self) -> bool {
        matches!(&self.body, Body::Kind(k) if k.irreversible())
    }
    /// See [`StepKind::consent_from_state`].
    pub fn consent_from_state(&self) -> bool {
        matches!(&self.body, Body::Kind(k) if k.consent_from_state())
    }
    pub fn is_group(&self) -> bool {
        matches!(self.body, Body::Group(_))
    }
    /// The kind's preflight (a group is planned member by member).
    pub async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        match &self.body {
            Body::Kind(k) => k.preflight(cx).await,
            Body::Group(_) => Err(StepError::refused(
                "a parallel group is planned step by step",
            )),
        }
    }
    /// The kind's verification (a group has none of its own).
    pub async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        match &self.body {
            Body::Kind(k) => k.verify(cx).await,
            Body::Group(_) => Ok(Verdict::Done("nothing to verify".into())),
        }
    }
    /// The regions the step calls (see [`StepKind::sides`]).
    pub fn sides(&self, estate: &Estate) -> Vec<Side> {
        match &self.body {
            Body::Kind(k) => k.sides(estate),
            Body::Group(steps) => sides_of(steps, estate),
        }
    }
    pub fn milestone(&self, estate: &Estate) -> Option<Milestone> {
        match &self.body {
            Body::Kind(k) => k.milestone(estate),
            Body::Group(_) => None,
        }
    }
}

/// The regions any of `steps` calls: the only ones a run of them reads.
pub fn sides_of(steps: &[Step], estate: &Estate) -> Vec<Side> {
    Side::BOTH
        .into_iter()
        .filter(|side| steps.iter().any(|s| s.sides(estate).contains(side)))
        .collect()
}

/// Builds every step of `spec` (ids assigned) and checks it against the estate.
pub fn compile(
    spec: &RunbookSpec,
    estate: &Estate,
    registry: &Registry,
) -> Result<Vec<Step>, SpecError> {
    spec.check_shape().map_err(SpecError::Shape)?;
    let mut steps = spec.steps.clone();
    assign_ids(&mut steps, "");
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| build(s, &format!("{}", i + 1), estate, registry, false))
        .collect()
}

/// Checks a runbook as written without keeping the result.
pub fn validate(spec: &RunbookSpec, estate: &Estate, registry: &Registry) -> Result<(), SpecError> {
    compile(spec, estate, registry).map(|_| ())
}

fn build(
    spec: &StepSpec,
    pos: &str,
    estate: &Estate,
    registry: &Registry,
    in_group: bool,
) -> Result<Step, SpecError> {
    let fail = |message: String| SpecError::Step {
        step: pos.to_string(),
        kind: spec.kind.clone(),
        message,
    };
    if spec.is_group() {
        let steps = spec
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| build(s, &format!("{pos}.{}", i + 1), estate, registry, true))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Step {
            spec: spec.clone(),
            kind_name: spec.kind.clone(),
            body: Body::Group(steps),
        });
    }
    let (name, kind) = registry
        .build(&spec.kind, &spec.params)
        .ok_or_else(|| SpecError::UnknownKind {
            step: pos.to_string(),
            kind: spec.kind.clone(),
            known: registry.names(),
        })?
        .map_err(fail)?;
    kind.validate(estate).map_err(fail)?;
    if in_group && kind.needs_operator() {
        return Err(SpecError::Step {
            step: pos.rsplit_once('.').map(|p| p.0).unwrap_or(pos).to_string(),
            kind: "parallel".into(),
            message: format!("a {} step cannot run inside a parallel group", spec.kind),
        });
    }
    Ok(Step {
        spec: spec.clone(),
        kind_name: name.to_string(),
        body: Body::Kind(kind),
    })
}
