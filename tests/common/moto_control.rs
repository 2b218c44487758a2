//! The test controls of the moto harness (tests/moto/server.py, `/_drconsole/`): moto's
//! request log by operation, a throttling switch, and a reply to lose.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// Operations that change something, as the request log names them.
pub const CHANGES: &[&str] = &[
    "PromoteReadReplica",
    "CreateDBInstanceReadReplica",
    "ModifyDBInstance",
    "UpdateService",
    "UpdateAutoScalingGroup",
    "RegisterTargets",
    "ChangeResourceRecordSets",
    "PutParameter",
    "PutSecretValue",
    "UpdateHealthCheck",
    "StartRestoreJob",
    "SwitchoverGlobalCluster",
    "FailoverGlobalCluster",
];

/// One request to the harness on loopback; the JSON it answers.
fn send(url: &str, method: &str, path: &str) -> Value {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect to the moto harness");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send to the moto harness");
    let mut text = String::new();
    stream
        .read_to_string(&mut text)
        .expect("read the moto harness's answer");
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("harness answer ({e}): {text}"))
}

fn table(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
        .collect()
}

/// Requests moto handled, by operation.
pub fn requests(url: &str) -> BTreeMap<String, u64> {
    table(&send(url, "GET", "/_drconsole/requests")["requests"])
}

/// Requests answered throttled by the harness, by operation.
pub fn throttled(url: &str) -> BTreeMap<String, u64> {
    table(&send(url, "GET", "/_drconsole/requests")["throttled"])
}

/// The changes moto handled, by operation.
pub fn changes(url: &str) -> BTreeMap<String, u64> {
    requests(url)
        .into_iter()
        .filter(|(op, _)| CHANGES.contains(&op.as_str()))
        .collect()
}

/// Answers `percent` % of the requests from now on with a throttling error.
pub fn throttle(url: &str, percent: u32) {
    send(
        url,
        "POST",
        &format!("/_drconsole/throttle?percent={percent}"),
    );
}

/// The next `operation` is applied and its answer withheld for a minute.
pub fn lose_reply(url: &str, operation: &str) {
    send(
        url,
        "POST",
        &format!("/_drconsole/lose-reply?operation={operation}"),
    );
}

/// How long a restore job takes in the harness (tests/moto/backup.py) from now on.
pub fn restore_seconds(url: &str, seconds: u32) {
    send(
        url,
        "POST",
        &format!("/_drconsole_backup/restore-seconds?seconds={seconds}"),
    );
}

/// The parameters each call of `operation` carried, in order (the harness keeps them for
/// FailoverGlobalCluster, SwitchoverGlobalCluster, PromoteReadReplica and StartRestoreJob).
pub fn params(url: &str, operation: &str) -> Vec<Value> {
    send(url, "GET", "/_drconsole/requests")["params"][operation]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// How many reads each in-progress state of the harness lasts from now on (0: at once).
pub fn in_progress(url: &str, describes: u32) {
    send(
        url,
        "POST",
        &format!("/_drconsole/in-progress?describes={describes}"),
    );
}

/// The harness treats `region` as unreachable (its requests are never answered), or back.
pub fn dark(url: &str, region: &str, dark: bool) {
    send(
        url,
        "POST",
        &format!("/_drconsole/dark?region={region}&dark={}", u8::from(dark)),
    );
}

/// Every request (of `service`'s signing name, in `region`, when given) is answered
/// throttled for the next `seconds`, whatever its attempt.
pub fn throttle_for(url: &str, seconds: u32, service: Option<&str>, region: Option<&str>) {
    let mut path = format!("/_drconsole/throttle?seconds={seconds}");
    if let Some(s) = service {
        path.push_str(&format!("&service={s}"));
    }
    if let Some(r) = region {
        path.push_str(&format!("&region={r}"));
    }
    send(url, "POST", &path);
}

/// Seeds a recovery point in the harness's AWS Backup (tests/moto/backup.py) with `status`.
pub fn recovery_point(
    url: &str,
    region: &str,
    vault: &str,
    resource_arn: &str,
    age_seconds: u32,
    status: &str,
) -> String {
    let q = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
    let v = send(
        url,
        "POST",
        &format!(
            "/_drconsole_backup/recovery-point?region={region}&vault={vault}&resource_arn={}&age_seconds={age_seconds}&status={status}",
            q(resource_arn)
        ),
    );
    v["RecoveryPointArn"]
        .as_str()
        .expect("recovery point arn")
        .to_string()
}

/// Applies `value` to the quota `service`/`code` in `region` (tests/moto/quotas.py).
pub fn set_quota(url: &str, region: &str, service: &str, code: &str, value: f64) {
    send(
        url,
        "POST",
        &format!("/_drconsole/quota?region={region}&service={service}&code={code}&value={value}"),
    );
}
