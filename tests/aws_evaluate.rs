//! The runbooks' evaluation against moto, through the real binary: the standby's principal
//! denied `rds:PromoteReadReplica` makes `failover` "action required" under the step that
//! promotes; allowing it makes the next evaluation pass; a caller that may not simulate is
//! "not evaluated". moto lacks IAM's SimulatePrincipalPolicy: the harness adds it on top of
//! moto's own policy evaluation (tests/moto/simulate.py). Nothing is ever changed.

#[path = "common/moto_control.rs"]
mod moto_control;
#[path = "common/status_schema.rs"]
mod status_schema;
mod support;

use std::path::Path;
use std::process::Command;

use drconsole::backend::aws::iam_policy;
use serde_json::{Value, json};
use support::{Endpoints, Moto, moto};

/// Creates or updates `user` with `policy` (through tests/moto/principal.py): its keys.
fn principal(
    server: &Moto,
    dir: &Path,
    user: &str,
    policy: &Value,
    enforce: bool,
) -> (String, String) {
    let file = dir.join(format!("{user}.json"));
    std::fs::write(&file, policy.to_string()).expect("write policy");
    let mut cmd = Command::new(moto::python());
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/principal.py"))
        .arg(&server.url)
        .arg(user)
        .arg(&file);
    if enforce {
        cmd.arg("--enforce");
    }
    let out = cmd.output().expect("run principal.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Value = serde_json::from_slice(&out.stdout).expect("keys");
    (
        keys["access_key_id"].as_str().expect("key id").into(),
        keys["secret_access_key"].as_str().expect("secret").into(),
    )
}

/// `drconsole status` (text, or JSON with `json`) with these keys.
fn status(config: &Path, home: &Path, keys: &(String, String), json: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("status").arg("--config").arg(config);
    if json {
        cmd.arg("--json");
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", &keys.0)
        .env("AWS_SECRET_ACCESS_KEY", &keys.1)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    let out = cmd.output().expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "status failed\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The line of `runbook` under EVALUATION.
fn evaluation_line(text: &str, runbook: &str) -> String {
    let at = text
        .find("\nEVALUATION\n")
        .unwrap_or_else(|| panic!("no EVALUATION in\n{text}"));
    text[at..]
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{runbook} ")))
        .unwrap_or_else(|| panic!("no {runbook} under EVALUATION in\n{text}"))
        .trim()
        .to_string()
}

/// `iam-policy --operate` for the estate, with a Deny of `denied` on `resource` when given.
fn operator_policy(estate: &drconsole::config::Estate, deny: Option<(&str, &str)>) -> Value {
    let mut policy = iam_policy(estate, true);
    if let Some((action, resource)) = deny {
        policy["Statement"]
            .as_array_mut()
            .expect("statements")
            .push(json!({"Effect": "Deny", "Action": action, "Resource": resource}));
    }
    policy
}

#[test]
fn a_denied_promotion_is_action_required_until_it_is_allowed() {
    let server = Moto::start();
    let seeded = server.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let estate = support::estate(&toml);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("orders.toml");
    std::fs::write(&config, &toml).expect("write estate");
    let replica = format!(
        "arn:aws:rds:{}:*:db:orders-db-replica",
        seeded.standby_region
    );

    // What seeding changed, to tell the evaluations' calls from it.
    let seeded_calls = moto_control::requests(&server.url);

    // 1. The operator's policy is iam-policy --operate, with the promotion denied.
    let keys = principal(
        &server,
        dir.path(),
        "dr-operator",
        &operator_policy(&estate, Some(("rds:PromoteReadReplica", &replica))),
        false,
    );
    let text = status(&config, dir.path(), &keys, false);
    assert_eq!(
        evaluation_line(&text, "failover"),
        "failover   action required: database: rds:PromoteReadReplica denied",
        "{text}"
    );
    let json: Value =
        serde_json::from_str(&status(&config, dir.path(), &keys, true)).expect("status --json");
    status_schema::assert_conforms(&json);
    let failover = &json["evaluations"][0];
    assert_eq!(failover["runbook"], "failover", "{json:#}");
    assert_eq!(failover["outcome"], "action_required");
    assert_eq!(
        failover["findings"][0],
        json!({"aspect": "permissions", "outcome": "action_required", "step": "database",
               "text": "rds:PromoteReadReplica denied"})
    );

    // 2. Allowed: the next evaluation passes.
    let keys = principal(
        &server,
        dir.path(),
        "dr-operator",
        &operator_policy(&estate, None),
        false,
    );
    let text = status(&config, dir.path(), &keys, false);
    assert_eq!(
        evaluation_line(&text, "failover"),
        "failover   passed",
        "{text}"
    );

    // 3. A caller allowed everything the runbooks do but not iam:SimulatePrincipalPolicy,
    //    with IAM enforced: the dry run reads what it needs, the permissions are not
    //    evaluated, and never called passed.
    let mut monitor = iam_policy(&estate, true);
    let statements = monitor["Statement"].as_array_mut().expect("statements");
    let mut all: Vec<Value> = Vec::new();
    for s in statements.iter() {
        for a in s["Action"].as_array().expect("actions") {
            all.push(a.clone());
            // moto names CloudWatch actions by the signing name (`monitoring:`).
            if let Some(op) = a.as_str().and_then(|a| a.strip_prefix("cloudwatch:")) {
                all.push(json!(format!("monitoring:{op}")));
            }
        }
    }
    monitor = json!({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": all, "Resource": "*"}]});
    let keys = principal(&server, dir.path(), "dr-monitor", &monitor, true);
    // moto answers Route 53's REST calls SignatureDoesNotMatch once IAM is enforced: the
    // estate without its DNS record and health checks (the posture then follows the database).
    let (cut, to) = (
        toml.find("[dns]").expect("[dns]"),
        toml.find("[[alarms]]").expect("[[alarms]]"),
    );
    let without_dns = dir.path().join("no-dns.toml");
    std::fs::write(&without_dns, format!("{}{}", &toml[..cut], &toml[to..])).expect("write");
    let text = status(&without_dns, dir.path(), &keys, false);
    let line = evaluation_line(&text, "failover");
    assert!(
        line.starts_with(
            "failover   not evaluated: the standby caller may not simulate its policies"
        ) && line.contains("iam:SimulatePrincipalPolicy"),
        "{text}"
    );

    // Evaluating changed nothing.
    let requests = moto_control::requests(&server.url);
    for op in moto_control::CHANGES {
        let by_evaluations =
            requests.get(*op).copied().unwrap_or(0) - seeded_calls.get(*op).copied().unwrap_or(0);
        assert_eq!(by_evaluations, 0, "{op} was called: {requests:?}");
    }
    assert!(
        requests.contains_key("SimulatePrincipalPolicy"),
        "{requests:?}"
    );
}

/// The standby's Fargate quota set below what `web` (4 tasks of 1 vCPU at production) needs:
/// `failover` is action required with both numbers and the primary's; raised, it passes.
#[test]
fn a_standby_quota_below_production_need_is_action_required_with_both_numbers() {
    let server = Moto::start();
    let seeded = server.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let estate = support::estate(&toml);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("orders.toml");
    std::fs::write(&config, &toml).expect("write estate");
    let standby = seeded.standby_region.clone();
    // The standby's web runs a Fargate task of 1 vCPU (1024 CPU units).
    server.boto3(
        &standby,
        "ecs = c('ecs')\n\
         td = ecs.register_task_definition(family='web', requiresCompatibilities=['FARGATE'], \
         networkMode='awsvpc', cpu='1024', memory='2048', \
         containerDefinitions=[{'name': 'web', 'image': 'public.example/web'}])\
         ['taskDefinition']['taskDefinitionArn']\n\
         ecs.update_service(cluster='orders', service='web', taskDefinition=td)",
    );
    let web = estate
        .services()
        .iter()
        .find(|s| s.name == "web")
        .expect("web");
    let need = f64::from(web.production);
    moto_control::set_quota(&server.url, &standby, "fargate", "L-3032A538", need - 2.0);
    let seeded_calls = moto_control::requests(&server.url);
    let keys = principal(
        &server,
        dir.path(),
        "dr-operator",
        &operator_policy(&estate, None),
        false,
    );
    let json: Value =
        serde_json::from_str(&status(&config, dir.path(), &keys, true)).expect("status --json");
    status_schema::assert_conforms(&json);
    let failover = &json["evaluations"][0];
    assert_eq!(failover["outcome"], "action_required", "{json:#}");
    let quotas: Vec<&Value> = failover["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["aspect"] == "quotas")
        .collect();
    assert_eq!(
        quotas,
        [
            &json!({"aspect": "quotas", "outcome": "action_required", "step": null,
                 "text": format!("Fargate vCPU: {standby} quota {} < production needs {} ({}: 6)",
                                 need - 2.0, need, seeded.primary_region)})
        ],
        "{json:#}"
    );
    let text = status(&config, dir.path(), &keys, false);
    assert!(
        evaluation_line(&text, "failover").contains("Fargate vCPU"),
        "{text}"
    );

    // Raised (as a granted increase): passed, with the numbers in the summary.
    moto_control::set_quota(&server.url, &standby, "fargate", "L-3032A538", 100.0);
    let json: Value =
        serde_json::from_str(&status(&config, dir.path(), &keys, true)).expect("status --json");
    let failover = &json["evaluations"][0];
    let aspect = failover["aspects"]
        .as_array()
        .expect("aspects")
        .iter()
        .find(|a| a["aspect"] == "quotas")
        .expect("quotas aspect");
    assert_eq!(aspect["outcome"], "passed", "{json:#}");
    assert_eq!(
        aspect["summary"],
        format!("{standby}: Fargate vCPU 100 ≥ {need}, EC2 on-demand vCPU 5, RDS instances 40"),
    );
    let requests = moto_control::requests(&server.url);
    assert!(
        requests.get("DescribeTaskDefinition").copied().unwrap_or(0) >= 2,
        "{requests:?}"
    );
    for op in moto_control::CHANGES {
        let by_evaluations =
            requests.get(*op).copied().unwrap_or(0) - seeded_calls.get(*op).copied().unwrap_or(0);
        assert_eq!(by_evaluations, 0, "{op} was called: {requests:?}");
    }
}

/// A task definition revision never changes once registered, so its size is read once per
/// backend; a bare family (its latest revision) is read every time, and a new revision is read
/// when a service moves to it.
#[test]
fn a_revision_is_read_once_and_a_family_every_time() {
    use drconsole::backend::Backend;
    use drconsole::model::Side;
    let server = Moto::start();
    let seeded = server.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let register = |cpu: &str| {
        server
            .boto3(
                &seeded.standby_region,
                &format!(
                    "print(c('ecs').register_task_definition(family='web', \
                     requiresCompatibilities=['FARGATE'], networkMode='awsvpc', cpu='{cpu}', \
                     memory='2048', containerDefinitions=[{{'name': 'web', 'image': 'img'}}])\
                     ['taskDefinition']['taskDefinitionArn'])"
                ),
            )
            .trim()
            .to_string()
    };
    let first = register("1024");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let backend = runtime.block_on(support::backend(&toml));
    let reads = || {
        moto_control::requests(&server.url)
            .get("DescribeTaskDefinition")
            .copied()
            .unwrap_or(0)
    };
    let sizes = |defs: &[String]| {
        runtime
            .block_on(backend.task_sizes(Side::Standby, defs))
            .expect("task sizes")
    };
    let before = reads();
    let a = sizes(std::slice::from_ref(&first));
    assert_eq!(a[0].vcpu, Some(1.0));
    assert_eq!(reads() - before, 1);
    let b = sizes(std::slice::from_ref(&first));
    assert_eq!(b, a);
    assert_eq!(reads() - before, 1, "a revision is read once");

    let family = vec!["web".to_string()];
    sizes(&family);
    sizes(&family);
    assert_eq!(reads() - before, 3, "a family is read every time");

    // A new revision (2 vCPU): read, and the bare family now answers with it.
    let second = register("2048");
    let both = sizes(&[first.clone(), second.clone()]);
    assert_eq!(reads() - before, 4, "only the new revision is read");
    assert_eq!(
        both.iter().map(|s| s.vcpu).collect::<Vec<_>>(),
        [Some(1.0), Some(2.0)]
    );
    assert_eq!(sizes(&family)[0].vcpu, Some(2.0));
}
