//! The Lambda functions the estate's runbooks invoke (`invoke_lambda` steps, inside parallel
//! groups too), as ARNs: a step that names an ARN gives it as written; a name (with or
//! without a `:qualifier`) is a function of the step's region, in any account.

use crate::config::Estate;
use crate::config::runbook::StepSpec;

fn collect(steps: &[StepSpec], estate: &Estate, out: &mut Vec<String>) {
    for s in steps {
        collect(&s.steps, estate, out);
        if s.kind != "invoke_lambda" {
            continue;
        }
        let Some(function) = s.params.get("function").and_then(|f| f.as_str()) else {
            continue;
        };
        if function.starts_with("arn:") {
            out.push(function.to_string());
            continue;
        }
        let side = match s.params.get("region").and_then(|r| r.as_str()) {
            Some("primary") => &estate.primary,
            _ => &estate.standby,
        };
        out.push(format!(
            "arn:aws:lambda:{}:*:function:{function}",
            side.region
        ));
    }
}

pub(super) fn function_arns(estate: &Estate) -> Vec<String> {
    let mut out = Vec::new();
    for rb in estate.runbooks.values() {
        collect(&rb.steps, estate, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::iam_policy;
    use crate::config::Estate;

    const BASE: &str = r#"
name = "orders"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
"#;

    fn invoke_statement(text: &str, operate: bool) -> Option<serde_json::Value> {
        let e = Estate::parse(text, "t.toml").unwrap();
        iam_policy(&e, operate)["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Action"][0] == "lambda:InvokeFunction")
            .cloned()
    }

    #[test]
    fn functions_invoked_by_runbooks_are_listed_with_operate_only() {
        let text = format!(
            r#"{BASE}
[[runbooks.drill.steps]]
kind = "invoke_lambda"
function = "orders-dr-warmup"

[[runbooks.drill.steps]]
kind = "parallel"
  [[runbooks.drill.steps.steps]]
  kind = "invoke_lambda"
  function = "arn:aws:lambda:us-east-1:123456789012:function:orders-drain"
  region = "primary"
  [[runbooks.drill.steps.steps]]
  kind = "invoke_lambda"
  function = "orders-notify:live"
  region = "primary"
"#
        );
        let s = invoke_statement(&text, true).expect("an InvokeFunction statement");
        assert_eq!(
            s["Resource"],
            serde_json::json!([
                "arn:aws:lambda:us-east-1:*:function:orders-notify:live",
                "arn:aws:lambda:us-east-1:123456789012:function:orders-drain",
                "arn:aws:lambda:us-west-2:*:function:orders-dr-warmup",
            ])
        );
        assert!(invoke_statement(&text, false).is_none());
    }

    #[test]
    fn no_invoke_lambda_step_means_no_lambda_permission() {
        assert!(invoke_statement(BASE, true).is_none());
    }
}
