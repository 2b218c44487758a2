//! Evidence read from a run's audit lines, in order: the run's start (who, where, the
//! objectives), each confirmation, each AWS call and its answer, each state observed, each
//! finding, each approval, and the chain head.

use serde_json::Value;

use super::{Change, Confirmation, Evidence, Finding, Observed, s};
use crate::runbook::audit::ChainHead;

impl Evidence {
    /// Reads `lines` (every audit line of the run, in order, with its raw bytes' hash).
    pub fn from_lines(lines: &[(Value, String)]) -> Evidence {
        let mut e = Evidence::default();
        for (v, hash) in lines {
            let event = s(v, "event");
            let step = s(v, "step");
            let utc = s(v, "ts");
            match event.as_str() {
                "run_started" | "run_resumed" if e.user.is_none() => {
                    e.user = Some(s(v, "user"));
                    e.host = v.get("host").and_then(Value::as_str).map(str::to_string);
                    e.drill = v.get("drill").and_then(Value::as_bool);
                    e.backend = Some(s(v, "backend"));
                    e.rto_objective_secs = v.get("rto_objective_secs").and_then(Value::as_f64);
                    e.rpo_objective_secs = v.get("rpo_objective_secs").and_then(Value::as_f64);
                    e.estate_sha256 = v
                        .get("estate_sha256")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    if let Some(Value::Object(acc)) = v.get("accounts") {
                        for (side, a) in acc {
                            e.principals.push((side.clone(), s(a, "principal")));
                        }
                    }
                }
                "confirm" => {
                    let how = s(v, "how");
                    let detail = match how.as_str() {
                        "typed" => s(v, "typed"),
                        "flags" => v
                            .get("flags")
                            .and_then(Value::as_array)
                            .map(|f| {
                                f.iter()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    let host = v
                        .get("host")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| e.host.clone())
                        .unwrap_or_default();
                    let principal = match v.get("principal").and_then(Value::as_str) {
                        Some(p) => p.to_string(),
                        None => e
                            .principals
                            .iter()
                            .filter(|(_, p)| !p.is_empty())
                            .map(|(side, p)| format!("{side}: {p}"))
                            .collect::<Vec<_>>()
                            .join("; "),
                    };
                    e.confirmations.push(Confirmation {
                        utc,
                        step,
                        how,
                        detail,
                        user: s(v, "user"),
                        host,
                        principal,
                        calls: v
                            .get("calls")
                            .and_then(Value::as_array)
                            .map(|c| {
                                c.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                    });
                }
                "call" => e.changes.push(Change {
                    utc,
                    step,
                    call: s(v, "call"),
                    describe: s(v, "describe"),
                    result: "no answer recorded".into(),
                    detail: String::new(),
                }),
                "result" | "call_error" => {
                    let call = s(v, "call");
                    let (result, detail) = if event == "result" {
                        let mut d = s(v, "summary");
                        let c = s(v, "change_id");
                        if !c.is_empty() {
                            d = format!("{d} (change {c})");
                        }
                        ("ok".to_string(), d)
                    } else if s(v, "outcome") == "unknown" {
                        ("unknown".to_string(), s(v, "error"))
                    } else {
                        ("error".to_string(), s(v, "error"))
                    };
                    match e.changes.iter_mut().rev().find(|c| {
                        c.step == step && c.call == call && c.result == "no answer recorded"
                    }) {
                        Some(c) => {
                            c.result = result;
                            c.detail = detail;
                        }
                        None => e.changes.push(Change {
                            utc,
                            step,
                            call,
                            describe: String::new(),
                            result,
                            detail,
                        }),
                    }
                }
                "observed" => e.observed.push(Observed {
                    utc,
                    what: s(v, "what"),
                    name: s(v, "name"),
                    side: s(v, "side"),
                    from: s(v, "from"),
                    to: s(v, "to"),
                }),
                "finding" => e.findings.push(Finding {
                    utc,
                    user: s(v, "user"),
                    text: s(v, "text"),
                }),
                _ => {}
            }
            if let Some(a) = crate::runbook::report::approvals::of_line(v) {
                e.approvals.push(a);
            }
            if let Some(seq) = v.get("seq").and_then(Value::as_u64) {
                e.head = Some(ChainHead {
                    seq,
                    sha256: hash.clone(),
                });
            }
        }
        e
    }
}
