//! `invoke_lambda` against moto over Lambda's REST-JSON protocol. moto runs function code only
//! in Docker, which these tests do not have: they use moto's Docker-free Lambda backend (set
//! through `POST /moto-api/config`), whose answers are queued by the test
//! (`/moto-api/static/lambda-simple/response`). The harness patch tests/moto/lambda_errors.py
//! makes it answer a function error and an unknown function as AWS does.

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use drconsole::backend::aws::AwsBackend;
use drconsole::backend::{Action, Backend, ErrorKind};
use drconsole::model::Side;
use drconsole::runbook::{RunCommand, RunContext, RunEvent, RunMode, RunOutcome};
use serde_json::json;
use support::Moto;

const REGION: &str = "us-west-2";

fn estate_toml(url: &str, steps: &str) -> String {
    format!(
        r#"name = "orders"
call_timeout = "5s"

[primary]
region = "us-east-1"
endpoint_url = "{url}"

[standby]
region = "{REGION}"
endpoint_url = "{url}"
{steps}"#
    )
}

/// moto with its Docker-free Lambda backend, a role, and `orders-dr-warmup` in the standby.
async fn moto_with_function() -> Moto {
    let moto = Moto::start();
    let http = reqwest::Client::new();
    let config = http
        .post(format!("{}/moto-api/config", moto.url))
        .json(&json!({"lambda": {"use_docker": false}}))
        .send()
        .await
        .expect("moto config");
    assert!(config.status().is_success(), "{:?}", config.status());
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(&moto.url)
        .load()
        .await;
    let role = aws_sdk_iam::Client::new(&sdk)
        .create_role()
        .role_name("orders-dr-lambda")
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("create role");
    let arn = role.role().map(|r| r.arn().to_string()).unwrap();
    aws_sdk_lambda::Client::new(&sdk)
        .create_function()
        .function_name("orders-dr-warmup")
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(arn)
        .handler("index.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(aws_sdk_lambda::primitives::Blob::new(zip_of_nothing()))
                .build(),
        )
        .send()
        .await
        .expect("create function");
    moto
}

/// An empty zip archive (its end-of-central-directory record alone).
fn zip_of_nothing() -> Vec<u8> {
    let mut z = vec![0x50, 0x4b, 0x05, 0x06];
    z.extend([0u8; 18]);
    z
}

/// Queues the function's next answers in the standby region.
async fn queue(moto: &Moto, results: &[&str]) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/moto-api/static/lambda-simple/response",
            moto.url
        ))
        .json(&json!({"region": REGION, "results": results}))
        .send()
        .await
        .expect("queue a result");
    assert!(r.status().is_success());
}

fn invoke(function: &str) -> Action {
    Action::InvokeLambda {
        side: Side::Standby,
        function: function.into(),
        payload: json!({"mode": "failover"}).to_string(),
    }
}

#[tokio::test]
async fn an_invocation_answers_with_the_functions_payload() {
    let moto = moto_with_function().await;
    queue(&moto, &[r#"{"warmed": 12}"#]).await;
    let b = support::backend(&estate_toml(&moto.url, "")).await;
    let out = b.act(&invoke("orders-dr-warmup")).await.expect("invoked");
    assert!(out.summary.contains("answered 200"), "{}", out.summary);
    assert!(out.summary.contains(r#"{"warmed": 12}"#), "{}", out.summary);
}

#[tokio::test]
async fn a_function_error_fails_with_its_payload_and_says_it_was_answered() {
    let moto = moto_with_function().await;
    queue(
        &moto,
        &[r#"{"errorMessage": "cache cluster not found", "errorType": "KeyError"}"#],
    )
    .await;
    let b = support::backend(&estate_toml(&moto.url, "")).await;
    let e = b
        .act(&invoke("orders-dr-warmup"))
        .await
        .expect_err("a function error is a failure");
    assert_eq!(e.code.as_deref(), Some("FunctionError"));
    assert!(e.message.contains("function error (Unhandled)"), "{e}");
    assert!(e.message.contains("cache cluster not found"), "{e}");
    // Answered: the engine knows it was not lost in flight.
    assert!(!drconsole::runbook::reader::may_have_applied(&e));
}

#[tokio::test]
async fn an_unknown_function_is_not_found() {
    let moto = moto_with_function().await;
    let b = support::backend(&estate_toml(&moto.url, "")).await;
    let e = b
        .act(&invoke("no-such-function"))
        .await
        .expect_err("not found");
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

/// Runs the estate's `drill` against moto, confirming each step; on a failure, the error and
/// an abort.
async fn run_drill(toml: &str) -> (RunOutcome, Vec<String>, Vec<String>) {
    let estate = drconsole::runbook::parse_estate(toml, "estate.toml").expect("estate");
    let backend = Arc::new(AwsBackend::connect(&estate).await);
    let dir = tempfile::tempdir().unwrap();
    let spec = estate.runbooks["drill"].clone();
    let mut ctx = RunContext::new(Arc::new(estate), backend, RunMode::Live);
    ctx.audit_path = dir.path().join("audit.jsonl");
    ctx.state_dir = dir.path().to_path_buf();
    let mut h = drconsole::runbook::start_spec(ctx, "drill", spec).expect("starts");
    let mut log = Vec::new();
    let mut errors = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(ev) = h.events.recv().await {
            match ev {
                RunEvent::AwaitingConfirmation(p) => h
                    .commands
                    .send(RunCommand::Confirm {
                        typed_region: p.type_to_confirm.clone(),
                    })
                    .unwrap(),
                RunEvent::AwaitingDecision { error, .. } => {
                    errors.push(error);
                    h.commands.send(RunCommand::Abort).unwrap();
                }
                RunEvent::Log(l) => log.push(l.text),
                RunEvent::Finished(s) => return s.outcome,
                _ => {}
            }
        }
        panic!("no end")
    })
    .await
    .expect("finishes");
    (outcome, log, errors)
}

const STEP: &str = r#"
[[runbooks.drill.steps]]
kind = "invoke_lambda"
function = "orders-dr-warmup"
payload = { mode = "failover" }
"#;

#[tokio::test]
async fn the_step_puts_the_answer_in_the_live_log() {
    let moto = moto_with_function().await;
    queue(&moto, &[r#"{"warmed": 12}"#]).await;
    let (outcome, log, errors) = run_drill(&estate_toml(&moto.url, STEP)).await;
    assert!(
        matches!(outcome, RunOutcome::Completed),
        "{outcome:?} {errors:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with("ok: ") && l.contains(r#"{"warmed": 12}"#)),
        "{log:#?}"
    );
}

#[tokio::test]
async fn the_step_fails_on_a_function_error_with_its_payload() {
    let moto = moto_with_function().await;
    queue(
        &moto,
        &[r#"{"errorMessage": "cache cluster not found", "errorType": "KeyError"}"#],
    )
    .await;
    let (outcome, _log, errors) = run_drill(&estate_toml(&moto.url, STEP)).await;
    assert!(!matches!(outcome, RunOutcome::Completed));
    let e = errors.first().expect("the step failed");
    assert!(e.contains("cache cluster not found"), "{e}");
}
