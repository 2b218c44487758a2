//! The steps that call what a team already has, through the engine on the simulator, in real
//! time: `command` runs real programs (a script beside the estate file), `http_check` asks a
//! loopback server started by the test, `invoke_lambda` is simulated and says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use drconsole::backend::Action;
use drconsole::backend::sim::{BUILT_IN_ESTATE, SimClock, Simulator};
use drconsole::config::Estate;
use drconsole::runbook::{RunCommand, RunContext, RunEvent, RunMode, RunOutcome, StepStatus};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "common/counting.rs"]
mod counting;
use counting::Counting;

/// An estate file (the built-in estate and `runbook`) in a fresh directory, with `scripts`
/// written beside it (executable).
fn estate_with(runbook: &str, scripts: &[(&str, &str)]) -> (TempDir, Estate) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
    for (name, body) in scripts {
        let path = dir.path().join("scripts").join(name);
        std::fs::write(&path, body).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let file = dir.path().join("estate.toml");
    std::fs::write(&file, format!("{BUILT_IN_ESTATE}\n{runbook}")).unwrap();
    let estate = drconsole::runbook::load_estate(&file).expect("estate file loads");
    (dir, estate)
}

struct Ran {
    outcome: RunOutcome,
    events: Vec<RunEvent>,
    errors: Vec<String>,
    prompts: Vec<drconsole::runbook::api::ConfirmPrompt>,
    backend: Arc<Counting>,
    audit: Vec<serde_json::Value>,
}

impl Ran {
    fn log(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RunEvent::Log(l) => Some(l.text.clone()),
                _ => None,
            })
            .collect()
    }
    fn has_log(&self, needle: &str) -> bool {
        self.log().iter().any(|l| l.contains(needle))
    }
    fn status(&self, id: &str) -> Option<StepStatus> {
        self.events.iter().rev().find_map(|e| match e {
            RunEvent::Step(v) if v.id == id => Some(v.status.clone()),
            _ => None,
        })
    }
}

/// Runs the estate's runbook `drill`, confirming every step and aborting at the first failure.
async fn run(dir: &TempDir, estate: Estate) -> Ran {
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(1.0));
    let backend = Counting::new(sim);
    let spec = estate.runbooks["drill"].clone();
    let mut ctx = RunContext::new(Arc::new(estate), backend.clone(), RunMode::Live);
    let audit_path = dir.path().join("audit.jsonl");
    ctx.audit_path = audit_path.clone();
    ctx.state_dir = dir.path().join("state");
    ctx.user = "drill-lead".into();
    let mut h = drconsole::runbook::start_spec(ctx, "drill", spec).expect("run starts");
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let mut prompts = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(ev) = h.events.recv().await {
            match &ev {
                RunEvent::AwaitingConfirmation(p) => {
                    prompts.push(p.clone());
                    h.commands
                        .send(RunCommand::Confirm {
                            typed_region: p.type_to_confirm.clone(),
                        })
                        .unwrap();
                }
                RunEvent::AwaitingDecision { error, .. } => {
                    errors.push(error.clone());
                    h.commands.send(RunCommand::Abort).unwrap();
                }
                _ => {}
            }
            if let RunEvent::Finished(s) = &ev {
                let o = s.outcome.clone();
                events.push(ev);
                return o;
            }
            events.push(ev);
        }
        panic!("the run ended without finishing");
    })
    .await
    .expect("the run finishes within a minute");
    let audit = std::fs::read_to_string(&audit_path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Ran {
        outcome,
        events,
        errors,
        prompts,
        backend,
        audit,
    }
}

fn completed(o: &RunOutcome) -> bool {
    matches!(o, RunOutcome::Completed)
}

#[tokio::test]
async fn a_command_runs_from_the_estate_files_directory_and_streams_its_output_in_order() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "command"
program = "./scripts/test-dr.sh"
args = ["--region", "us-west-2"]
env = { STAGE = "dr" }
"#,
        &[(
            "test-dr.sh",
            "#!/bin/sh\necho \"first $1 $2 stage=$STAGE\"\nsleep 0.2\necho 'to stderr' >&2\nsleep 0.2\necho \"cwd $(pwd)\"\n",
        )],
    );
    let ran = run(&dir, estate).await;
    assert!(
        completed(&ran.outcome),
        "{:?} {:?}",
        ran.outcome,
        ran.errors
    );
    // Confirmed once, with the resolved program and the warning that it runs again on retry.
    assert_eq!(ran.prompts.len(), 1);
    let p = &ran.prompts[0];
    let script = dir.path().join("scripts/test-dr.sh");
    assert!(
        p.calls
            .iter()
            .any(|c| format!("{c:?}").contains(&script.display().to_string())),
        "{:?}",
        p.calls
    );
    assert!(
        p.warnings.iter().any(|w| w.contains("runs it again")),
        "{:?}",
        p.warnings
    );
    let log = ran.log();
    let at = |needle: &str| {
        log.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no log line with {needle:?} in {log:#?}"))
    };
    let first = at("stdout: first --region us-west-2 stage=dr");
    let err = at("stderr: to stderr");
    let cwd = at(&format!(
        "stdout: cwd {}",
        dir.path().canonicalize().unwrap().display()
    ));
    let exit = at("exited 0");
    assert!(first < err && err < cwd && cwd < exit, "{log:#?}");
    // The audit log has the call and every line, as the live log does.
    assert!(
        ran.audit
            .iter()
            .any(|a| a["event"] == "call" && a["call"] == "command"),
        "no call in the audit"
    );
    assert!(
        ran.audit.iter().any(|a| a["text"]
            .as_str()
            .is_some_and(|t| t.contains("stderr: to stderr"))),
        "no output line in the audit"
    );
    // Nothing went to the backend: a program is not an AWS call.
    assert!(
        ran.backend.actions().is_empty(),
        "{:?}",
        ran.backend.actions()
    );
}

#[tokio::test]
async fn a_command_that_exits_non_zero_fails_with_its_code_and_last_lines() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "command"
program = "scripts/fail.sh"
dir = "scripts"
"#,
        &[(
            "fail.sh",
            "#!/bin/sh\necho step one\necho \"in $(basename $(pwd))\"\necho boom >&2\nexit 3\n",
        )],
    );
    let ran = run(&dir, estate).await;
    assert!(!completed(&ran.outcome));
    let e = ran.errors.first().expect("the step failed");
    assert!(e.contains("exited with code 3"), "{e}");
    assert!(e.contains("boom") && e.contains("in scripts"), "{e}");
    assert!(ran.has_log("stderr: boom"));
    assert!(
        matches!(ran.status("1"), Some(StepStatus::Failed { .. })),
        "{:?}",
        ran.status("1")
    );
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "command"
program = "./scripts/hang.sh"
timeout = "1s"
"#,
        // The shell's child holds the output pipe open: killing the shell alone would not do.
        &[("hang.sh", "#!/bin/sh\necho waiting\nsleep 30\necho never\n")],
    );
    let began = std::time::Instant::now();
    let ran = run(&dir, estate).await;
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "{:?}",
        began.elapsed()
    );
    let e = ran.errors.first().expect("the step failed");
    assert!(e.contains("still running after 1s: killed"), "{e}");
    assert!(e.contains("waiting"), "{e}");
    assert!(!ran.has_log("never"));
}

#[tokio::test]
async fn a_program_that_does_not_exist_is_refused_before_anything_is_confirmed() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "command"
program = "./scripts/missing.sh"
"#,
        &[],
    );
    let ran = run(&dir, estate).await;
    assert!(ran.prompts.is_empty());
    let e = ran.errors.first().expect("preflight failed");
    assert!(e.contains("missing.sh does not exist"), "{e}");
}

/// A loopback HTTP server: the first `failures` requests get 503, the rest 200 with `body`.
async fn server(failures: usize, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/health", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                let (status, text) = if n < failures {
                    ("503 Service Unavailable", "down")
                } else {
                    ("200 OK", body)
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(answer.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn an_http_check_waits_through_503_until_200_with_the_text() {
    let (url, count) = server(2, "status: ok").await;
    let (dir, estate) = estate_with(
        &format!(
            r#"
[[runbooks.drill.steps]]
kind = "http_check"
url = "{url}"
contains = "ok"
interval = "200ms"
"#
        ),
        &[],
    );
    let ran = run(&dir, estate).await;
    assert!(
        completed(&ran.outcome),
        "{:?} {:?}",
        ran.outcome,
        ran.errors
    );
    // Nothing to confirm: a GET changes nothing.
    assert!(ran.prompts.is_empty());
    assert!(ran.has_log("503 Service Unavailable"), "{:#?}", ran.log());
    assert!(ran.has_log("verified: GET"), "{:#?}", ran.log());
    assert!(ran.has_log("200 OK, body has \"ok\""), "{:#?}", ran.log());
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(ran.backend.actions().is_empty());
}

#[tokio::test]
async fn an_http_check_that_never_answers_as_expected_fails_with_the_last_answer() {
    let (url, _) = server(usize::MAX, "").await;
    let (dir, estate) = estate_with(
        &format!(
            r#"
[[runbooks.drill.steps]]
kind = "http_check"
url = "{url}"
interval = "100ms"
timeout = "1s"
"#
        ),
        &[],
    );
    let ran = run(&dir, estate).await;
    let e = ran.errors.first().expect("the check failed");
    assert!(e.contains("timed out after 1s"), "{e}");
    assert!(e.contains("503 Service Unavailable"), "{e}");
}

#[tokio::test]
async fn an_http_check_whose_body_lacks_the_text_is_not_done() {
    let (url, _) = server(0, "maintenance").await;
    let (dir, estate) = estate_with(
        &format!(
            r#"
[[runbooks.drill.steps]]
kind = "http_check"
url = "{url}"
contains = "ok"
interval = "100ms"
timeout = "1s"
"#
        ),
        &[],
    );
    let ran = run(&dir, estate).await;
    let e = ran.errors.first().expect("the check failed");
    assert!(e.contains("200 OK, body lacks \"ok\""), "{e}");
}

#[tokio::test]
async fn invoke_lambda_on_the_simulator_is_simulated_and_says_so() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "invoke_lambda"
function = "orders-dr-warmup"
payload = { mode = "failover", regions = ["us-west-2"], depth = 2 }
"#,
        &[],
    );
    let ran = run(&dir, estate).await;
    assert!(
        completed(&ran.outcome),
        "{:?} {:?}",
        ran.outcome,
        ran.errors
    );
    let p = &ran.prompts[0];
    assert!(
        p.warnings.iter().any(|w| w.contains("not idempotent")),
        "{:?}",
        p.warnings
    );
    let actions = ran.backend.actions();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let Action::InvokeLambda {
        function,
        payload,
        side,
        ..
    } = &actions[0]
    else {
        panic!("{actions:?}")
    };
    assert_eq!(function, "orders-dr-warmup");
    assert_eq!(side.to_string(), "standby");
    let sent: serde_json::Value = serde_json::from_str(payload).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"mode": "failover", "regions": ["us-west-2"], "depth": 2})
    );
    assert!(
        ran.has_log("SIMULATED: orders-dr-warmup"),
        "{:#?}",
        ran.log()
    );
}

#[tokio::test]
async fn a_command_cut_off_by_a_crash_is_not_run_again_before_a_new_confirmation() {
    let (dir, estate) = estate_with(
        r#"
[[runbooks.drill.steps]]
kind = "command"
program = "./scripts/slow.sh"
"#,
        &[(
            "slow.sh",
            "#!/bin/sh\necho started\nsleep 5\necho finished\n",
        )],
    );
    let state = dir.path().join("state");
    let ctx = |estate: &Estate| {
        let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(1.0));
        let mut ctx = RunContext::new(Arc::new(estate.clone()), Counting::new(sim), RunMode::Live);
        ctx.audit_path = dir.path().join("audit.jsonl");
        ctx.state_dir = state.clone();
        ctx
    };
    let spec = estate.runbooks["drill"].clone();
    let mut h = drconsole::runbook::start_spec(ctx(&estate), "drill", spec).unwrap();
    // Confirmed, then killed while the program runs.
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = h.events.recv().await {
            match &ev {
                RunEvent::AwaitingConfirmation(p) => h
                    .commands
                    .send(RunCommand::Confirm {
                        typed_region: p.type_to_confirm.clone(),
                    })
                    .unwrap(),
                RunEvent::Log(l) if l.text.contains("stdout: started") => return,
                _ => {}
            }
        }
        panic!("the program never started");
    })
    .await
    .unwrap();
    h.task.abort();
    let _ = (&mut h.task).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    let journal = drconsole::runbook::Journal::find_unfinished(&state)
        .unwrap()
        .expect("the run is unfinished");
    let mut resumed = drconsole::runbook::resume(ctx(&estate), journal).unwrap();
    let mut before_prompt = Vec::new();
    let prompt = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = resumed.events.recv().await {
            match ev {
                RunEvent::AwaitingConfirmation(p) => return p,
                RunEvent::Log(l) => before_prompt.push(l.text),
                RunEvent::Finished(_) => panic!("finished without asking: {before_prompt:#?}"),
                _ => {}
            }
        }
        panic!("no prompt");
    })
    .await
    .unwrap();
    assert!(
        prompt
            .warnings
            .iter()
            .any(|w| w.contains("how it ended is unknown: confirming runs it again")),
        "{:?}",
        prompt.warnings
    );
    assert!(
        before_prompt.iter().all(|l| !l.contains("stdout: started")),
        "run again before asking: {before_prompt:#?}"
    );
    assert!(
        before_prompt
            .iter()
            .any(|l| l.contains("in flight at the crash")),
        "{before_prompt:#?}"
    );
    resumed.commands.send(RunCommand::Abort).unwrap();
}
