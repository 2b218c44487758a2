//! `drconsole init --terraform-state`: Terraform state fixtures shaped like the reference
//! architectures (tests/fixtures/terraform/), each seeded into moto with the same names
//! (tests/moto/seed_terraform.py). `init` writes an estate that passes `check`, and a headless
//! failover with it succeeds. Bad input exits with one line and writes nothing.
//!
//! Needs moto (see tests/support/moto.rs).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Moto, moto};

const LIMIT: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

/// A fixture seeded into its own moto, its state files copied with moto's identifiers.
struct Lab {
    moto: Moto,
    dir: tempfile::TempDir,
    states: Vec<PathBuf>,
}

impl Lab {
    fn new(fixture: &str, seed_args: &[&str]) -> Lab {
        Lab::from_dir(&fixtures().join(fixture), seed_args)
    }

    /// `src` holds `seed.toml` and the state files.
    fn from_dir(src: &Path, seed_args: &[&str]) -> Lab {
        let moto = Moto::start();
        let fixture = src.display();
        let out = Command::new(moto::python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed_terraform.py"))
            .arg(&moto.url)
            .arg(src.join("seed.toml"))
            .args(seed_args)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run seed_terraform.py");
        assert!(
            out.status.success(),
            "seeding {fixture} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            moto.stderr()
        );
        let seeded: Value = serde_json::from_slice(&out.stdout).expect("seed output is JSON");
        let mut ids: Vec<(String, String)> = seeded["ids"]
            .as_object()
            .expect("ids")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        ids.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        let dir = tempfile::tempdir().expect("temp dir");
        let mut states = Vec::new();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(src)
            .expect("fixture dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.file_name().is_some_and(|n| n != "seed.toml"))
            .collect();
        entries.sort();
        for path in entries {
            let mut text = std::fs::read_to_string(&path).expect("fixture");
            for (written, chosen) in &ids {
                text = text.replace(written.as_str(), chosen);
            }
            let to = dir.path().join(path.file_name().expect("name"));
            std::fs::write(&to, text).expect("copy fixture");
            states.push(to);
        }
        Lab { moto, dir, states }
    }

    fn init(&self, primary: &str, standby: &str, extra: &[&str]) -> Finished {
        let mut cmd = moto::drconsole_in(self.dir.path());
        cmd.args(["init", "--primary", primary, "--standby", standby])
            .arg("--endpoint-url")
            .arg(&self.moto.url);
        for s in &self.states {
            cmd.arg("--terraform-state").arg(s);
        }
        cmd.args(extra);
        run_limited(cmd, LIMIT)
    }

    fn estate(&self) -> PathBuf {
        self.dir.path().join("estate.toml")
    }

    fn with_estate(&self, args: &[&str]) -> Finished {
        let mut cmd = moto::drconsole_in(self.dir.path());
        cmd.args(args).arg("--config").arg(self.estate());
        run_limited(cmd, LIMIT)
    }

    /// init → check → failover, every step exit 0; returns the estate's text.
    fn init_check_failover(&self, primary: &str, standby: &str) -> String {
        let done = self.init(primary, standby, &["-o", "estate.toml"]);
        assert_eq!(done.code, Some(0), "init failed:\n{}", done.output());
        let text = std::fs::read_to_string(self.estate()).expect("estate written");
        let check = self.with_estate(&["check"]);
        assert_eq!(check.code, Some(0), "check:\n{}\n{text}", check.output());
        let before = self.status();
        assert_eq!(before["posture"]["active"], "primary", "{before:#}\n{text}");
        let run = self.with_estate(&[
            "run",
            "failover",
            "--yes",
            "--allow-irreversible",
            "--allow-data-loss",
            "--state-dir",
            "state",
            "--audit-log",
            "audit.jsonl",
        ]);
        assert_eq!(run.code, Some(0), "failover:\n{}\n{text}", run.output());
        let after = self.status();
        assert_eq!(after["posture"]["active"], "standby", "{after:#}");
        text
    }

    fn status(&self) -> Value {
        let done = self.with_estate(&["status", "--json"]);
        serde_json::from_str(&done.stdout)
            .unwrap_or_else(|e| panic!("status --json ({e}):\n{}", done.output()))
    }
}

fn section<'a>(text: &'a str, header: &str) -> &'a str {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("{header} not in:\n{text}"));
    let rest = &text[start + header.len()..];
    let end = rest.find("\n[").map_or(rest.len(), |i| i);
    &rest[..end]
}

#[test]
fn pilot_light_from_separate_primary_and_dr_states() {
    let lab = Lab::new("pilot-light", &[]);
    let text = lab.init_check_failover("us-east-1", "us-west-2");
    let db = section(&text, "[database]");
    for want in [
        "# from terraform: module.dr.aws_db_instance.replica in ",
        "# read from AWS: storefront-db-replica in us-west-2 replicates from storefront-db",
        "kind = \"rds-replica\"",
        "primary = \"storefront-db\"",
        "standby = \"storefront-db-replica\"",
        "endpoint_parameter = \"/storefront/db/endpoint\"",
    ] {
        assert!(db.contains(want), "{want} not in [database]:\n{db}");
    }
    // Capacities come from each region's current settings.
    assert!(
        text.contains(
            "name = \"storefront-app\"\nproduction = { min = 2, max = 8, desired = 2 }\nstandby = { min = 0, max = 8, desired = 0 }"
        ),
        "{text}"
    );
    assert!(text.contains("# read from AWS: desired 2 in storefront, us-east-1"));
    assert!(text.contains("name = \"storefront-worker\"\nproduction = 2\nstandby = 0"));
    assert!(text.contains("asg = \"storefront-app\""), "{text}");
    assert!(text.contains("standby_alias = { dns_name = \"storefront-usw2-0987654321.us-west-2.elb.amazonaws.com\", zone_id = \"Z1H1FL5HABSF5\" }"));
    assert!(
        text.contains("# CHECK: Lambda function storefront-dr-failover"),
        "the Lambda is pointed out: {text}"
    );
    assert_eq!(text.matches("[[asgs]]").count(), 3, "{text}");
    assert_eq!(text.matches("[[health_checks]]").count(), 2, "{text}");
    assert!(
        text.contains("label = \"shop usw2 ALB\"\nregion = \"standby\""),
        "{text}"
    );
}

#[test]
fn warm_standby_from_show_json_with_a_backup_vault_and_a_failover_pair() {
    let lab = Lab::new("warm-standby", &[]);
    let text = lab.init_check_failover("us-east-2", "us-west-1");
    let db = section(&text, "[database]");
    for want in [
        "kind = \"backup-restore\"",
        "primary = \"claims-db\"",
        "standby = \"claims-db-dr\"",
        "backup_vault = \"claims-dr-vault\"",
        "subnet_group = \"claims-dr-db\"",
        "endpoint_parameter = \"/claims/db/endpoint\"",
        "# CHECK: standby is the name the restore gives",
        "# read from AWS: backup vault claims-dr-vault exists in us-west-1",
    ] {
        assert!(db.contains(want), "{want} not in [database]:\n{db}");
    }
    let dns = section(&text, "[dns]");
    for want in [
        "mode = \"failover-routing\"",
        "primary_set_identifier = \"claims-use2\"",
        "standby_set_identifier = \"claims-usw1\"",
        "# read from AWS: claims.example.com CNAME set claims-usw1 is SECONDARY",
    ] {
        assert!(dns.contains(want), "{want} not in [dns]:\n{dns}");
    }
    // The DR cluster's services carry no ARN: their region is the DR provider's.
    assert!(
        text.contains("name = \"claims-api\"\nproduction = 4\nstandby = 1"),
        "{text}"
    );
    assert!(
        text.contains("name = \"claims-batch\"\nproduction = 2\nstandby = 0"),
        "{text}"
    );
}

#[test]
fn ecs_mysql_from_one_state_with_provider_aliases_never_prints_the_secret() {
    let password = "moto-Pa55word-never-shown";
    let lab = Lab::new("ecs-mysql", &["--json-secret", password]);
    let done = lab.init("eu-west-1", "eu-central-1", &["-o", "estate.toml"]);
    assert_eq!(done.code, Some(0), "{}", done.output());
    for leaked in [password, "tf-St4te-Pa55word"] {
        assert!(!done.output().contains(leaked), "{}", done.output());
    }
    let text = std::fs::read_to_string(lab.estate()).expect("estate");
    for leaked in [password, "tf-St4te-Pa55word"] {
        assert!(!text.contains(leaked), "{text}");
    }
    // The JSON secret whose `host` is the primary's address, found without its value shown.
    assert!(
        text.contains(
            "secret tickets/db in eu-central-1 holds the primary's address (JSON key \"host\")"
        ),
        "{text}"
    );
    // Written with its key when the checker knows `endpoint_secret_key`; else left commented
    // out with a CHECK: never the bare secret, which failover would overwrite whole.
    let keyed = "\nendpoint_secret = \"tickets/db\"\nendpoint_secret_key = \"host\"\n";
    let commented = "\n# endpoint_secret = \"tickets/db\"\n# endpoint_secret_key = \"host\"\n";
    assert!(
        text.contains(keyed)
            || (text.contains(commented) && text.contains("# CHECK: the secret is JSON")),
        "{text}"
    );
    assert_eq!(
        text.matches("\nendpoint_secret = ").count(),
        text.matches("\nendpoint_secret_key = ").count(),
        "a JSON secret is never written without its key: {text}"
    );
    assert!(text.contains("primary_cluster = \"tickets\"\nstandby_cluster = \"tickets-dr\""));
    assert!(
        text.contains("name = \"tickets-worker\"\nproduction = 2\nstandby = 1"),
        "{text}"
    );
    assert!(
        text.contains("standby_value = \"tickets-euc1-0987654321.eu-central-1.elb.amazonaws.com\"")
    );
    assert!(
        text.contains("name = \"tickets-replica-lag\"\nregion = \"standby\""),
        "{text}"
    );
    std::fs::remove_file(lab.estate()).expect("remove");
    lab.init_check_failover("eu-west-1", "eu-central-1");
}

#[test]
fn a_state_without_the_replica_lists_it_exits_78_and_writes_nothing() {
    let lab = Lab::new("pilot-light-no-replica", &["--drop-replica"]);
    let done = lab.init("us-east-1", "us-west-2", &["-o", "estate.toml"]);
    assert_eq!(done.code, Some(78), "{}", done.output());
    assert!(!lab.estate().exists(), "nothing is written");
    let err = &done.stderr;
    assert!(
        err.contains("missing: the standby database: a replica of storefront-db in us-west-2"),
        "{err}"
    );
    assert!(
        err.contains("aws_db_instance with replicate_source_db"),
        "{err}"
    );
    assert!(err.contains("ReadReplicaDBInstanceIdentifiers"), "{err}");
    assert!(err.contains("--draft"), "{err}");

    // --draft writes it with the gap marked; check then fails on it.
    let done = lab.init("us-east-1", "us-west-2", &["-o", "estate.toml", "--draft"]);
    assert_eq!(done.code, Some(0), "{}", done.output());
    let text = std::fs::read_to_string(lab.estate()).expect("draft written");
    assert!(
        text.contains("# CHECK: MISSING the standby database"),
        "{text}"
    );
    assert!(text.contains("standby = \"\"  # CHECK: MISSING"), "{text}");
    let check = lab.with_estate(&["check"]);
    assert_eq!(check.code, Some(78), "{}", check.output());
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let lab = Lab::new("ecs-mysql", &[]);
    std::fs::write(lab.estate(), "# mine\n").expect("write");
    let done = lab.init("eu-west-1", "eu-central-1", &["-o", "estate.toml"]);
    assert_eq!(done.code, Some(74), "{}", done.output());
    assert!(done.stderr.contains("--force"), "{}", done.output());
    assert_eq!(
        std::fs::read_to_string(lab.estate()).expect("kept"),
        "# mine\n"
    );
    let done = lab.init(
        "eu-west-1",
        "eu-central-1",
        &["-o", "estate.toml", "--force"],
    );
    assert_eq!(done.code, Some(0), "{}", done.output());
    let text = std::fs::read_to_string(lab.estate()).expect("replaced");
    assert!(text.contains("name = \"tickets\""), "{text}");
}

/// Bad input: one line, the code from the table, nothing written, no AWS call needed.
#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec![write("notes.json", "{\"hello\": 1}").display().to_string()],
            78,
            "is not Terraform state",
        ),
        (
            vec![
                write(
                    "old.tfstate",
                    "{\"version\": 3, \"lineage\": \"x\", \"modules\": []}",
                )
                .display()
                .to_string(),
            ],
            78,
            "version 3 is not read",
        ),
        (
            vec![
                write(
                    "plan.json",
                    "{\"format_version\": \"1.2\", \"planned_values\": {}}",
                )
                .display()
                .to_string(),
            ],
            78,
            "is a Terraform plan",
        ),
        (
            vec![dir.path().join("absent.tfstate").display().to_string()],
            74,
            "absent.tfstate",
        ),
        (
            vec![
                fixtures()
                    .join("ecs-mysql/terraform.tfstate")
                    .display()
                    .to_string(),
            ],
            78,
            "nothing in",
        ),
    ];
    for (states, code, words) in cases {
        let mut cmd = moto::drconsole_in(dir.path());
        // Regions the fixture is not in, for the last case; an endpoint nothing listens on:
        // none of these may reach AWS.
        cmd.args(["init", "--primary", "us-east-1", "--standby", "us-west-2"])
            .args(["--endpoint-url", "http://127.0.0.1:9", "-o", "out.toml"]);
        for s in &states {
            cmd.arg("--terraform-state").arg(s);
        }
        let done = run_limited(cmd, LIMIT);
        assert_eq!(done.code, Some(code), "{states:?}: {}", done.output());
        assert_eq!(done.stderr.trim().lines().count(), 1, "{}", done.output());
        assert!(done.stderr.contains(words), "{words}: {}", done.output());
        assert!(!dir.path().join("out.toml").exists());
    }
    let mut cmd = moto::drconsole_in(dir.path());
    cmd.args(["init", "--primary", "us-east-1", "--standby", "us-east-1"])
        .arg("--terraform-state")
        .arg(fixtures().join("ecs-mysql/terraform.tfstate"));
    let done = run_limited(cmd, LIMIT);
    assert_eq!(done.code, Some(64), "{}", done.output());
}

/// AWS that cannot be reached: one line, exit 69, nothing written.
#[test]
fn unreachable_aws_is_one_line_exit_69() {
    let listener = support::SilentListener::start();
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = moto::drconsole_in(dir.path());
    cmd.args([
        "init",
        "--primary",
        "eu-west-1",
        "--standby",
        "eu-central-1",
    ])
    .args(["--endpoint-url", &listener.url, "-o", "out.toml"])
    .arg("--terraform-state")
    .arg(fixtures().join("ecs-mysql/terraform.tfstate"));
    let done = run_limited(cmd, LIMIT);
    assert_eq!(done.code, Some(69), "{}", done.output());
    assert_eq!(done.stderr.trim().lines().count(), 1, "{}", done.output());
    assert!(done.stderr.contains("nothing written"), "{}", done.output());
    assert!(!dir.path().join("out.toml").exists());
}

/// Twelve ECS services in each region's cluster, with the replica, a group, a target group, a
/// record and its checks: the calls `init` makes, batched where AWS allows (ten services per
/// `DescribeServices`, every group of a region in one `DescribeAutoScalingGroups`).
#[test]
fn a_twelve_service_estate_is_read_in_batched_calls() {
    use serde_json::json;
    let src = tempfile::tempdir().expect("dir");
    let (p, s) = ("us-east-1", "us-west-2");
    let acct = "123456789012";
    let names: Vec<String> = (1..=12).map(|i| format!("svc-{i:02}")).collect();
    let mut seed = String::from(
        "name = \"fleet\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n\
         [database]\nkind = \"rds-replica\"\nprimary = \"fleet-db\"\nstandby = \"fleet-db-replica\"\n\
         endpoint_parameter = \"/fleet/db/endpoint\"\n\
         [ecs]\nprimary_cluster = \"fleet\"\nstandby_cluster = \"fleet\"\n",
    );
    for n in &names {
        seed.push_str(&format!(
            "[[ecs.services]]\nname = \"{n}\"\nproduction = 3\nstandby = 1\n"
        ));
    }
    seed.push_str(
        "[[asgs]]\nname = \"fleet-web\"\nproduction = { min = 2, max = 6, desired = 2 }\n\
         standby = { min = 0, max = 6, desired = 0 }\n",
    );
    std::fs::write(src.path().join("seed.toml"), seed).expect("seed");
    let res = |kind: &str, name: &str, key: Option<&str>, attrs: Value| {
        let mut inst = json!({"attributes": attrs});
        if let Some(k) = key {
            inst["index_key"] = json!(k);
        }
        json!({"mode": "managed", "type": kind, "name": name,
               "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
               "instances": [inst]})
    };
    let mut resources = vec![
        res(
            "aws_db_instance",
            "primary",
            None,
            json!({"identifier": "fleet-db",
            "arn": format!("arn:aws:rds:{p}:{acct}:db:fleet-db")}),
        ),
        res(
            "aws_db_instance",
            "replica",
            None,
            json!({"identifier": "fleet-db-replica",
            "arn": format!("arn:aws:rds:{s}:{acct}:db:fleet-db-replica"),
            "replicate_source_db": format!("arn:aws:rds:{p}:{acct}:db:fleet-db")}),
        ),
        res(
            "aws_ssm_parameter",
            "endpoint",
            None,
            json!({"name": "/fleet/db/endpoint",
            "arn": format!("arn:aws:ssm:{s}:{acct}:parameter/fleet/db/endpoint")}),
        ),
    ];
    for region in [p, s] {
        let cluster = format!("arn:aws:ecs:{region}:{acct}:cluster/fleet");
        resources.push(res(
            "aws_ecs_cluster",
            region,
            None,
            json!({"name": "fleet", "arn": cluster}),
        ));
        resources.push(res("aws_autoscaling_group", region, None, json!({
            "name": "fleet-web",
            "arn": format!("arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:1:autoScalingGroupName/fleet-web")})));
        for n in &names {
            resources.push(res(
                "aws_ecs_service",
                region,
                Some(n),
                json!({
                "name": n, "cluster": cluster,
                "id": format!("arn:aws:ecs:{region}:{acct}:service/fleet/{n}")}),
            ));
        }
    }
    let state = json!({"version": 4, "terraform_version": "1.9.8", "serial": 1,
                       "lineage": "x", "resources": resources});
    std::fs::write(
        src.path().join("fleet.tfstate"),
        serde_json::to_string_pretty(&state).expect("json"),
    )
    .expect("state");

    let lab = Lab::from_dir(src.path(), &[]);
    let mut cmd = moto::drconsole_in(lab.dir.path());
    cmd.args(["init", "--primary", p, "--standby", s, "-o", "estate.toml"])
        .args(["--endpoint-url", &lab.moto.url])
        .arg("--terraform-state")
        .arg(&lab.states[0])
        .env("DRCONSOLE_INIT_CALLS", "1");
    let done = run_limited(cmd, LIMIT);
    assert_eq!(done.code, Some(0), "{}", done.output());
    let text = std::fs::read_to_string(lab.estate()).expect("estate");
    assert_eq!(text.matches("[[ecs.services]]").count(), 12, "{text}");
    assert_eq!(
        text.matches("production = 3\nstandby = 1").count(),
        12,
        "{text}"
    );
    let line = done
        .stderr
        .lines()
        .find(|l| l.starts_with("init: ") && l.contains(" AWS calls: "))
        .unwrap_or_else(|| panic!("no call count: {}", done.output()));
    let count = |op: &str| -> u64 {
        line.split(&format!("\"{op}\": "))
            .nth(1)
            .and_then(|r| r.split([',', '}']).next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    // Twelve services: two DescribeServices per cluster (10 + 2), not twelve.
    assert_eq!(count("ECS.DescribeServices"), 4, "{line}");
    assert_eq!(count("Auto Scaling.DescribeAutoScalingGroups"), 2, "{line}");
    assert_eq!(count("RDS.DescribeDBInstances"), 2, "{line}");
    assert_eq!(count("SSM.GetParameter"), 1, "{line}");
    let total: u64 = line
        .split("AWS calls: ")
        .next()
        .and_then(|h| h.trim_start_matches("init: ").trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert_eq!(total, 9, "{line}");
    eprintln!("12-service estate: {line}; took {:?}", done.took);
}
