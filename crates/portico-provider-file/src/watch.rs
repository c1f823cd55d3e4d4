//! Watching configuration files for changes.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use notify::{RecursiveMode, Watcher as _};
use tokio::{sync::mpsc, time::Instant};
use tracing::{debug, warn};

/// Watches a file or a directory and reports changes, rate-limited.
///
/// A file is watched through its parent directory, so editors' atomic renames,
/// `kubectl cp` and Kubernetes ConfigMap symlink swaps are all seen; a directory is
/// watched recursively. Changes are reported on [`Watch::changed`], at most once per
/// `throttle` (Traefik's `providers.providersThrottleDuration`): a burst of events
/// becomes one report, and an isolated change is reported after a short settle
/// time (at most 50 ms) so that a multi-step write is seen whole.
///
/// Dropping the `Watch` stops watching.
///
/// # Example
///
/// ```no_run
/// # async fn run() -> Result<(), notify::Error> {
/// let mut watch = portico_provider_file::Watch::new("/etc/portico/dynamic".as_ref(), std::time::Duration::from_secs(2))?;
/// while watch.changed().await {
///     // reload
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<()>,
    throttle: Duration,
    last: Option<Instant>,
}

/// The longest an isolated change waits before being reported.
const SETTLE: Duration = Duration::from_millis(50);

impl Watch {
    /// Starts watching `path` (a file or a directory).
    pub fn new(path: &Path, throttle: Duration) -> Result<Watch, notify::Error> {
        let (tx, events) = mpsc::channel(1);
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                match event {
                    Ok(event) if event.kind.is_access() => {}
                    Ok(_) => {
                        // A full channel already holds a pending report: coalesce.
                        let _ = tx.try_send(());
                    }
                    Err(error) => warn!(%error, "file watch error"),
                }
            })?;
        let (target, mode) = watch_target(path);
        watcher.watch(&target, mode)?;
        debug!(path = %target.display(), "watching for changes");
        Ok(Watch {
            _watcher: watcher,
            events,
            throttle,
            last: None,
        })
    }

    /// Resolves on the next change (after throttling); `false` when watching ended.
    pub async fn changed(&mut self) -> bool {
        if self.events.recv().await.is_none() {
            return false;
        }
        let now = Instant::now();
        let ready = match self.last {
            Some(last) if now < last + self.throttle => last + self.throttle,
            _ => now + SETTLE.min(self.throttle),
        };
        tokio::time::sleep_until(ready).await;
        // Events that arrived while waiting are part of this change.
        while self.events.try_recv().is_ok() {}
        self.last = Some(Instant::now());
        true
    }
}

/// Files are watched through their directory; directories recursively.
fn watch_target(path: &Path) -> (PathBuf, RecursiveMode) {
    if path.is_dir() {
        (path.to_owned(), RecursiveMode::Recursive)
    } else {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        (parent.to_owned(), RecursiveMode::NonRecursive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn within(watch: &mut Watch, limit: Duration) -> bool {
        tokio::time::timeout(limit, watch.changed())
            .await
            .unwrap_or(false)
    }

    #[tokio::test]
    async fn edits_renames_and_new_files_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "x: 1").unwrap();
        let mut watch = Watch::new(dir.path(), Duration::from_millis(10)).unwrap();
        std::fs::write(&file, "x: 2").unwrap();
        assert!(within(&mut watch, Duration::from_secs(5)).await, "edit");
        let tmp = dir.path().join(".a.yaml.swp");
        std::fs::write(&tmp, "x: 3").unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        assert!(
            within(&mut watch, Duration::from_secs(5)).await,
            "atomic rename"
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.yaml"), "y: 1").unwrap();
        assert!(
            within(&mut watch, Duration::from_secs(5)).await,
            "new file in a subdirectory"
        );
    }

    #[tokio::test]
    async fn a_single_file_is_watched_through_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dynamic.yaml");
        std::fs::write(&file, "x: 1").unwrap();
        let mut watch = Watch::new(&file, Duration::from_millis(10)).unwrap();
        let tmp = dir.path().join("dynamic.yaml.new");
        std::fs::write(&tmp, "x: 2").unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        assert!(within(&mut watch, Duration::from_secs(5)).await);
    }

    #[tokio::test]
    async fn bursts_are_coalesced_and_throttled() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = Watch::new(dir.path(), Duration::from_millis(300)).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "1").unwrap();
        assert!(within(&mut watch, Duration::from_secs(5)).await);
        let after_first = Instant::now();
        for i in 0..20 {
            std::fs::write(dir.path().join("a.yaml"), i.to_string()).unwrap();
        }
        assert!(within(&mut watch, Duration::from_secs(5)).await);
        assert!(
            after_first.elapsed() >= Duration::from_millis(290),
            "throttled"
        );
        // The burst was one report: nothing else is pending.
        assert!(!within(&mut watch, Duration::from_millis(400)).await);
    }
}
