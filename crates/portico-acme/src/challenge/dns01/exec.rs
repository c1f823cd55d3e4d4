//! lego's `exec` DNS provider: run a user program to publish and remove records.
//!
//! The program is called as `$EXEC_PATH present <fqdn> <value>` and
//! `$EXEC_PATH cleanup <fqdn> <value>`; with `EXEC_MODE=RAW`, as
//! `$EXEC_PATH present -- <domain> <token> <key_authorization>`. A non-zero exit is a
//! failure. `EXEC_SEQUENCE_INTERVAL` is not used (records are published one by one).

use std::{path::PathBuf, process::Stdio, time::Duration};

use super::{BoxFuture, ChallengeRecord, DnsError, DnsProvider};

/// Runs `$EXEC_PATH` for each record.
///
/// ```
/// use std::collections::HashMap;
/// use portico_acme::challenge::dns01::ExecProvider;
///
/// let env = HashMap::from([("EXEC_PATH", "/usr/local/bin/dns-hook"), ("EXEC_MODE", "RAW")]);
/// let exec = ExecProvider::from_vars(|k| env.get(k).map(|v| v.to_string())).unwrap();
/// assert!(exec.raw);
/// assert!(ExecProvider::from_vars(|_| None).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct ExecProvider {
    /// The program (`EXEC_PATH`).
    pub program: PathBuf,
    /// `EXEC_MODE=RAW`: pass domain, token and key authorization instead of fqdn and
    /// value.
    pub raw: bool,
    /// How long one run may take (`EXEC_PROPAGATION_TIMEOUT` is lego's name for the
    /// whole wait; this bounds each run; default 60s).
    pub timeout: Duration,
}

// === impl ExecProvider ===

impl ExecProvider {
    /// A provider running `program` in the default mode.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        ExecProvider {
            program: program.into(),
            raw: false,
            timeout: Duration::from_secs(60),
        }
    }

    /// Reads lego's settings through `var` (`EXEC_PATH`, `EXEC_MODE`,
    /// `EXEC_PROPAGATION_TIMEOUT` in seconds); pass `|k| std::env::var(k).ok()` in
    /// the binary.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, DnsError> {
        let program =
            var("EXEC_PATH")
                .filter(|p| !p.trim().is_empty())
                .ok_or(DnsError::Setting {
                    name: "EXEC_PATH",
                    reason: "must name the program to run".to_owned(),
                })?;
        let mut out = ExecProvider::new(program.trim());
        out.raw = match var("EXEC_MODE").as_deref().map(str::trim) {
            None | Some("") => false,
            Some("RAW") => true,
            Some(other) => {
                return Err(DnsError::Setting {
                    name: "EXEC_MODE",
                    reason: format!("unknown mode {other:?} (expected RAW or nothing)"),
                });
            }
        };
        if let Some(t) = var("EXEC_PROPAGATION_TIMEOUT") {
            let secs = t.trim().parse::<u64>().map_err(|_| DnsError::Setting {
                name: "EXEC_PROPAGATION_TIMEOUT",
                reason: format!("not a number of seconds: {t:?}"),
            })?;
            out.timeout = Duration::from_secs(secs.max(1));
        }
        Ok(out)
    }

    async fn run(&self, action: &'static str, record: &ChallengeRecord) -> Result<(), DnsError> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.arg(action);
        if self.raw {
            cmd.args([
                "--",
                &record.domain,
                &record.token,
                &record.key_authorization,
            ]);
        } else {
            cmd.args([&record.fqdn, &record.value]);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd.spawn().map_err(|source| DnsError::Spawn {
            program: self.program.clone(),
            source,
        })?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| DnsError::Timeout {
                what: format!("{} {action}", self.program.display()),
                after: self.timeout,
            })?
            .map_err(|source| DnsError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        if output.status.success() {
            tracing::debug!(program = %self.program.display(), action, fqdn = %record.fqdn, "exec DNS provider done");
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stderr
            .trim()
            .chars()
            .rev()
            .take(500)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Err(DnsError::Exec {
            program: self.program.clone(),
            action,
            status: output.status,
            stderr: tail,
        })
    }
}

impl DnsProvider for ExecProvider {
    fn present<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>> {
        Box::pin(self.run("present", record))
    }

    fn cleanup<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>> {
        Box::pin(self.run("cleanup", record))
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn script(dir: &std::path::Path, body: &str) -> PathBuf {
        let path = dir.join("hook.sh");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[tokio::test]
    async fn passes_lego_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let hook = script(dir.path(), &format!("echo \"$@\" >> {}", log.display()));
        let record = ChallengeRecord::new("*.example.com", "tok", "tok.thumb", "VALUE");

        let exec = ExecProvider::new(&hook);
        exec.present(&record).await.unwrap();
        exec.cleanup(&record).await.unwrap();
        let raw = ExecProvider {
            raw: true,
            ..ExecProvider::new(&hook)
        };
        raw.present(&record).await.unwrap();

        let lines = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            lines,
            "present _acme-challenge.example.com. VALUE\n\
             cleanup _acme-challenge.example.com. VALUE\n\
             present -- example.com tok tok.thumb\n"
        );
    }

    #[tokio::test]
    async fn failures_carry_status_and_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let hook = script(dir.path(), "echo 'zone not found' >&2; exit 3");
        let record = ChallengeRecord::new("example.com", "t", "t.k", "V");
        let err = ExecProvider::new(&hook).present(&record).await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("present") && msg.contains("zone not found"),
            "{msg}"
        );
        assert!(matches!(err, DnsError::Exec { status, .. } if status.code() == Some(3)));

        let missing = ExecProvider::new(dir.path().join("nope"));
        assert!(matches!(
            missing.present(&record).await,
            Err(DnsError::Spawn { .. })
        ));
    }

    #[tokio::test]
    async fn slow_programs_time_out() {
        let dir = tempfile::tempdir().unwrap();
        let hook = script(dir.path(), "sleep 5");
        let exec = ExecProvider {
            timeout: Duration::from_millis(200),
            ..ExecProvider::new(&hook)
        };
        let record = ChallengeRecord::new("example.com", "t", "t.k", "V");
        assert!(matches!(
            exec.present(&record).await,
            Err(DnsError::Timeout { .. })
        ));
    }
}
