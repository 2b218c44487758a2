//! The runbook picker: what can be started or resumed, and for each runbook what it is for,
//! how many steps it has, which cannot be undone, and whether it could start now.

use crate::config::runbook::Condition;
use crate::model::Side;
use crate::runbook::step::Body;
use crate::runbook::{Journal, Step};

use super::App;
use super::precheck;

/// What the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub enum PickItem {
    Start(String),
    Resume { run_id: String, runbook: String },
}

/// What the picker says about an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PickInfo {
    pub description: Option<String>,
    /// Steps that do the work (a group's members counted one by one).
    pub steps: usize,
    /// Titles of the steps whose calls cannot be undone.
    pub irreversible: Vec<String>,
    /// Whether its preconditions hold as the dashboard reads the estate now: `Err` says
    /// which does not, and what to do.
    pub ready: Result<(), String>,
    /// The regions it calls: where a pinned account must be verified before it starts.
    pub sides: Vec<Side>,
}

impl Default for PickInfo {
    fn default() -> PickInfo {
        PickInfo {
            description: None,
            steps: 0,
            irreversible: Vec::new(),
            ready: Ok(()),
            sides: Side::BOTH.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub items: Vec<PickItem>,
    /// One per item, in the same order.
    pub info: Vec<PickInfo>,
    pub selected: usize,
    /// The run started from here is a drill, not a real incident (`d`): recorded from its
    /// first audit line, as `--drill` does. Off each time the list opens.
    pub drill: bool,
}

impl Picker {
    pub fn new(names: Vec<String>, unfinished: Option<&Journal>) -> Picker {
        let mut items = Vec::new();
        if let Some(j) = unfinished {
            items.push(PickItem::Resume {
                run_id: j.run_id.clone(),
                runbook: j.runbook.clone(),
            });
        }
        items.extend(names.into_iter().map(PickItem::Start));
        let info = vec![PickInfo::default(); items.len()];
        Picker {
            items,
            info,
            selected: 0,
            drill: false,
        }
    }
}

impl App {
    /// The picker, each entry explained from the estate and the latest readings.
    pub fn open_picker(&self) -> Picker {
        let names = crate::runbook::defaults::names(&self.estate);
        let mut picker = Picker::new(names, self.unfinished.as_ref());
        picker.info = picker.items.iter().map(|i| self.pick_info(i)).collect();
        picker
    }

    fn pick_info(&self, item: &PickItem) -> PickInfo {
        let name = match item {
            PickItem::Start(n) => n.as_str(),
            PickItem::Resume { runbook, .. } => runbook.as_str(),
        };
        let Some(spec) = crate::runbook::defaults::resolve(&self.estate, name) else {
            return PickInfo {
                ready: Err("no such runbook".into()),
                ..PickInfo::default()
            };
        };
        let registry = crate::runbook::steps::builtin();
        let steps = match crate::runbook::compile(&spec, &self.estate, &registry) {
            Ok(steps) => steps,
            Err(e) => {
                return PickInfo {
                    description: spec.description,
                    ready: Err(format!("invalid: {e}")),
                    ..PickInfo::default()
                };
            }
        };
        let members: Vec<&Step> = steps.iter().flat_map(Step::members).collect();
        let irreversible = members
            .iter()
            .filter(|s| matches!(&s.body, Body::Kind(k) if k.irreversible()))
            .map(|s| s.title())
            .collect();
        let ready = match item {
            // A resumed run checks again what it has not done yet.
            PickItem::Resume { .. } => Ok(()),
            PickItem::Start(_) => self.preconditions(&members),
        };
        PickInfo {
            description: spec.description,
            steps: members.len(),
            irreversible,
            ready,
            sides: crate::runbook::step::sides_of(&steps, &self.estate),
        }
    }

    /// The first `require` of the runbook's checks that the readings show failing.
    fn preconditions(&self, members: &[&Step]) -> Result<(), String> {
        let check = <crate::runbook::steps::Check as crate::runbook::steps::Kind>::NAME;
        for s in members.iter().filter(|s| s.kind_name == check) {
            let Some(require) = s.spec.params.get("require") else {
                continue;
            };
            let Ok(conditions) = serde_json::from_value::<Vec<Condition>>(require.clone()) else {
                continue;
            };
            for c in &conditions {
                if let Some(Err(seen)) = precheck::holds(self, c) {
                    return Err(format!("needs {c} ({seen}){}", advice(c)));
                }
            }
        }
        Ok(())
    }
}

/// What to run first when a lifecycle condition does not hold.
fn advice(c: &Condition) -> &'static str {
    match c {
        Condition::ReplicaOf(Side::Primary) => " — run reprotect first",
        Condition::DatabaseWriter(Side::Standby) => " — run failover first",
        _ => "",
    }
}
