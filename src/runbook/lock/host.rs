//! Which machine this is, and whether a process of it still runs.

use std::sync::OnceLock;

/// The machine's name, read once: the kernel's, else `$HOSTNAME`, else `hostname`.
pub fn hostname() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| {
                let out = std::process::Command::new("hostname").output().ok()?;
                String::from_utf8(out.stdout).ok()
            })
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown-host".into())
    })
    .clone()
}

/// Whether process `pid` exists on this machine (`/proc`, else `kill -0`). When it cannot be
/// told, it is taken as alive: a lock is never claimed on a guess.
pub fn pid_alive(pid: u32) -> bool {
    if std::path::Path::new("/proc/self").exists() {
        return std::path::Path::new("/proc").join(pid.to_string()).exists();
    }
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(true)
}
