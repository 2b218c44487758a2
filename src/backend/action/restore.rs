//! The idempotency token of a restore job.

/// The idempotency token of a restore: one per run, step, recovery point and instance, and
/// per job it replaces (`after`: the newest job of that point that ended, completed or
/// failed, or `None`). A call resent after a lost reply, a retry or a resume plans on the
/// same reading and sends the same token, so AWS starts nothing more; a deliberate restore
/// again (the job completed but the instance is gone, or the job failed) replaces a job
/// and sends a new one, so AWS starts a new job instead of answering the old one.
pub fn restore_token(
    run_id: &str,
    step_id: &str,
    recovery_point: &str,
    db: &str,
    after: Option<&str>,
) -> String {
    // FNV-1a: the same on every build, so a resumed run sends the same token.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [run_id, step_id, recovery_point, db, after.unwrap_or("")];
    for b in parts.iter().flat_map(|p| p.bytes().chain([0])) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("drconsole-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::restore_token;

    #[test]
    fn a_restore_token_is_stable_for_a_run_and_new_for_a_restore_again() {
        let t = |run, step, point, after| restore_token(run, step, point, "db", after);
        let first = t("run-1", "restore", "arn:rp:1", None);
        // A resend, a retry, a resume of the same run plans the same token.
        assert_eq!(first, t("run-1", "restore", "arn:rp:1", None));
        assert!(
            first.starts_with("drconsole-") && first.len() <= 64,
            "{first}"
        );
        // Another run, another step, another point: another job.
        assert_ne!(first, t("run-2", "restore", "arn:rp:1", None));
        assert_ne!(first, t("run-1", "restore-2", "arn:rp:1", None));
        assert_ne!(first, t("run-1", "restore", "arn:rp:2", None));
        assert_ne!(
            first,
            restore_token("run-1", "restore", "arn:rp:1", "db2", None)
        );
        // Restoring again after job J ended: a new token, the same for every resend of it.
        let again = t("run-1", "restore", "arn:rp:1", Some("JOB-1"));
        assert_ne!(first, again);
        assert_eq!(again, t("run-1", "restore", "arn:rp:1", Some("JOB-1")));
        assert_ne!(again, t("run-1", "restore", "arn:rp:1", Some("JOB-2")));
        // Fields do not run into each other.
        assert_ne!(t("ab", "c", "p", None), t("a", "bc", "p", None));
    }
}
