//! The `portico` binary as a process: configuration errors and exit codes, layering
//! of file, environment and flags, and SIGTERM draining.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

use std::{
    io::Write,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use portico_test_support::{client, upstream};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

const BIN: &str = env!("CARGO_BIN_EXE_portico");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
    path
}

/// Runs the binary to completion; returns (exit code, stdout, stderr).
async fn run_to_end(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("RUST_LOG").kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(20), cmd.output())
        .await
        .expect("binary exits")
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running binary logging JSON to stderr, and the addresses its entrypoints serve on.
struct Running {
    child: Child,
    serving: Vec<(String, SocketAddr)>,
    log: tokio::sync::mpsc::UnboundedReceiver<String>,
}

async fn spawn(args: &[&str], env: &[(&str, &str)], entrypoints: usize) -> Running {
    spawn_in(None, args, env, entrypoints).await
}

async fn spawn_in(
    dir: Option<&str>,
    args: &[&str],
    env: &[(&str, &str)],
    entrypoints: usize,
) -> Running {
    let mut cmd = Command::new(BIN);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.args(args)
        .args(["--log.level=INFO", "--log.format=json"])
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn portico");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, mut log) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut serving = Vec::new();
    while serving.len() < entrypoints {
        let line = tokio::time::timeout(Duration::from_secs(20), log.recv())
            .await
            .expect("entrypoint serving in time")
            .expect("process alive");
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if event["fields"]["message"] == "entrypoint serving" {
            let name = event["fields"]["entrypoint"].as_str().unwrap().to_owned();
            let addr = event["fields"]["address"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            serving.push((name, addr));
        }
    }
    Running {
        child,
        serving,
        log,
    }
}

impl Running {
    fn addr(&self, entrypoint: &str) -> SocketAddr {
        self.serving
            .iter()
            .find(|(n, _)| n == entrypoint)
            .expect("entrypoint serving")
            .1
    }

    /// Waits for a log line containing `needle`.
    async fn wait_log(&mut self, needle: &str) -> String {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(20), self.log.recv())
                .await
                .unwrap_or_else(|_| panic!("log line {needle:?} in time"))
                .expect("process alive");
            if line.contains(needle) {
                return line;
            }
        }
    }

    fn terminate(&self) {
        let pid = self.child.id().expect("running") as i32;
        // SAFETY-free: signal via the kill command, no libc binding needed.
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
    }

    async fn exit_code(mut self) -> i32 {
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("exits in time")
            .expect("wait")
            .code()
            .unwrap_or(-1)
    }
}

fn static_config(dir: &Path, entrypoints: &str, routing_dir: &Path) -> PathBuf {
    write(
        dir,
        "portico.yaml",
        &format!(
            "entryPoints:\n{entrypoints}providers:\n  file:\n    directory: {}\n",
            routing_dir.display()
        ),
    )
}

#[tokio::test]
async fn missing_config_file_is_an_error_not_a_fallback() {
    let (code, _, err) = run_to_end(&["--configFile=/nonexistent/portico.yaml"], &[]).await;
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("/nonexistent/portico.yaml") && err.contains("does not exist"),
        "{err}"
    );
}

#[tokio::test]
async fn invalid_address_names_the_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "p.yaml",
        "entryPoints:\n  web:\n    address: \"10.0.0.1\"\n",
    );
    let (code, _, err) = run_to_end(&["-c", file.to_str().unwrap()], &[]).await;
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("entryPoints.web.address") && err.contains("missing port"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_key_names_file_line_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "p.yaml",
        "entryPoints:\n  web:\n    adress: \":80\"\n",
    );
    let (code, _, err) = run_to_end(&["--configFile", file.to_str().unwrap()], &[]).await;
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("p.yaml:3"), "{err}");
    assert!(
        err.contains("entryPoints.web") && err.contains("adress"),
        "{err}"
    );
    let (code, _, err) = run_to_end(&["--entryPoints.web.adress=:80"], &[]).await;
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("adress"), "{err}");
}

#[tokio::test]
async fn port_in_use_fails_start_up_and_releases_every_listener() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let free_addr = free.local_addr().unwrap();
    drop(free);
    let dir = tempfile::tempdir().unwrap();
    // `a` binds first (entrypoints bind in name order), then `b` fails.
    let file = write(
        dir.path(),
        "p.yaml",
        &format!(
            "entryPoints:\n  a:\n    address: \"{free_addr}\"\n  b:\n    address: \"{taken_addr}\"\n"
        ),
    );
    let (code, _, err) = run_to_end(&["-c", file.to_str().unwrap()], &[]).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("entryPoints.b.address") && err.to_lowercase().contains("in use"),
        "{err}"
    );
    // Nothing half-started: `a`'s port is free again.
    std::net::TcpListener::bind(free_addr).expect("entrypoint a was released");
}

#[tokio::test]
async fn env_and_flags_override_the_file() {
    let backend = upstream::whoami("layered").await;
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        &format!(
            "http:\n  routers:\n    r: {{rule: PathPrefix(`/`), service: s}}\n  services:\n    s: {{loadBalancer: {{servers: [{{url: \"{}\"}}]}}}}\n",
            backend.url()
        ),
    );
    // The file says port 1 (unusable); env fixes `web`, a flag adds `extra`.
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:1\"\n",
        &routing,
    );
    let running = spawn(
        &[
            "-c",
            file.to_str().unwrap(),
            "--entryPoints.extra.address=127.0.0.1:0",
        ],
        &[("PORTICO_ENTRYPOINTS_WEB_ADDRESS", "127.0.0.1:0")],
        2,
    )
    .await;
    for ep in ["web", "extra"] {
        let reply = client::get(running.addr(ep), "x", "/").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("x-whoami-name"), Some("layered"));
    }
    running.terminate();
    assert_eq!(running.exit_code().await, 0);
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let backend = upstream::whoami("slow").await;
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        &format!(
            "http:\n  routers:\n    r: {{rule: PathPrefix(`/`), service: s}}\n  services:\n    s: {{loadBalancer: {{servers: [{{url: \"{}\"}}]}}}}\n",
            backend.url()
        ),
    );
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n    transport:\n      lifeCycle:\n        graceTimeOut: 10s\n",
        &routing,
    );
    let mut running = spawn(&["-c", file.to_str().unwrap()], &[], 1).await;
    let addr = running.addr("web");
    let slow = tokio::spawn(async move { client::get(addr, "x", "/?wait=1500ms").await });
    // Give the request time to reach the backend, then stop.
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.terminate();
    running.wait_log("entrypoint draining").await;
    // New connections are refused once draining started.
    let refused = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "listener still accepting while draining");
    let reply = slow.await.unwrap();
    assert_eq!(reply.status, 200, "in-flight request completed");
    assert_eq!(running.exit_code().await, 0);
}

#[tokio::test]
async fn validate_checks_every_file_in_config() {
    let config = format!("{REPO}/config/portico.yaml");
    let mut cmd = Command::new(BIN);
    cmd.current_dir(REPO)
        .args(["validate", "--configFile", &config]);
    let out = cmd.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 errors"), "{stdout}");
    assert!(
        !stdout.contains("warning"),
        "the demo configuration has no ignored settings: {stdout}"
    );
}

#[tokio::test]
async fn validate_reports_router_errors_with_exit_78() {
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        "http:\n  routers:\n    bad:\n      rule: Host(`a`) &&\n      service: s\n",
    );
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    let (code, out, _) = run_to_end(&["validate", "-c", file.to_str().unwrap()], &[]).await;
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("router bad@file") && out.contains("http.routers.bad.rule"),
        "{out}"
    );
}

#[tokio::test]
async fn version_and_usage_errors() {
    let (code, out, _) = run_to_end(&["version"], &[]).await;
    assert_eq!(code, 0);
    assert!(out.starts_with("portico "), "{out}");
    let (code, _, err) = run_to_end(&["--no-such-flag"], &[]).await;
    assert_eq!(code, 2, "{err}");
}

#[tokio::test]
async fn demo_serves_its_own_backends_from_config() {
    // The README's quick start: `portico demo` from the repository root.
    let running = spawn_in(Some(REPO), &["demo", "--address", "127.0.0.1:0"], &[], 1).await;
    let addr = running.addr("web");
    let mut names = Vec::new();
    for _ in 0..2 {
        let reply = client::get(addr, "demo.test", "/").await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        names.push(reply.header("x-whoami-name").unwrap_or_default().to_owned());
    }
    names.sort();
    assert_eq!(names, ["whoami-1", "whoami-2"]);
    let api = client::get(addr, "whoami.localhost", "/api").await;
    assert_eq!(api.header("x-whoami-name"), Some("whoami-1"));
    running.terminate();
    assert_eq!(running.exit_code().await, 0);
}

#[tokio::test]
async fn sighup_adds_and_removes_entrypoints_without_a_restart() {
    let backend = upstream::whoami("hup").await;
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        &format!(
            "http:\n  routers:\n    r: {{rule: PathPrefix(`/`), service: s}}\n  services:\n    s: {{loadBalancer: {{servers: [{{url: \"{}\"}}]}}}}\n",
            backend.url()
        ),
    );
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    let mut running = spawn(&["-c", file.to_str().unwrap()], &[], 1).await;
    let web = running.addr("web");
    // Add an entrypoint and send SIGHUP: it serves without a restart.
    static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n  extra:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    let pid = running.child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    let line = running.wait_log("entrypoint started").await;
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["fields"]["entrypoint"], "extra");
    let extra: SocketAddr = event["fields"]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        client::get(extra, "x", "/").await.header("x-whoami-name"),
        Some("hup")
    );
    assert_eq!(
        client::get(web, "x", "/").await.status,
        200,
        "web was not disturbed"
    );
    // Remove it again.
    static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    running.wait_log("install configuration reloaded").await;
    let refused = tokio::time::timeout(Duration::from_secs(3), async {
        while tokio::net::TcpStream::connect(extra).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "the removed entrypoint still accepts");
    // An invalid install file is refused whole; the running configuration stays.
    write(
        dir.path(),
        "portico.yaml",
        "entryPoints:\n  web:\n    address: \"nope\"\n",
    );
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    running.wait_log("keeping the running configuration").await;
    assert_eq!(client::get(web, "x", "/").await.status, 200);
    running.terminate();
    assert_eq!(running.exit_code().await, 0);
}

#[tokio::test]
async fn watch_static_reloads_when_the_install_file_changes() {
    let backend = upstream::whoami("watched").await;
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        &format!(
            "http:\n  routers:\n    r: {{rule: PathPrefix(`/`), service: s}}\n  services:\n    s: {{loadBalancer: {{servers: [{{url: \"{}\"}}]}}}}\n",
            backend.url()
        ),
    );
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    let mut running = spawn(&["-c", file.to_str().unwrap(), "--watch-static"], &[], 1).await;
    running.wait_log("watching the install configuration").await;
    static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n  more:\n    address: \"127.0.0.1:0\"\n",
        &routing,
    );
    let line = running.wait_log("entrypoint started").await;
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    let more: SocketAddr = event["fields"]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        client::get(more, "x", "/").await.header("x-whoami-name"),
        Some("watched")
    );
    running.terminate();
    assert_eq!(running.exit_code().await, 0);
}

#[tokio::test]
async fn request_accept_grace_keeps_serving_new_requests_after_sigterm() {
    let backend = upstream::whoami("grace").await;
    let dir = tempfile::tempdir().unwrap();
    let routing = dir.path().join("routing");
    std::fs::create_dir(&routing).unwrap();
    write(
        &routing,
        "r.yaml",
        &format!(
            "http:\n  routers:\n    r: {{rule: PathPrefix(`/`), service: s}}\n  services:\n    s: {{loadBalancer: {{servers: [{{url: \"{}\"}}]}}}}\n",
            backend.url()
        ),
    );
    let file = static_config(
        dir.path(),
        "  web:\n    address: \"127.0.0.1:0\"\n    transport:\n      lifeCycle:\n        requestAcceptGraceTimeout: 1s\n        graceTimeOut: 2s\n",
        &routing,
    );
    let mut running = spawn(&["-c", file.to_str().unwrap()], &[], 1).await;
    let addr = running.addr("web");
    let stopped_at = std::time::Instant::now();
    running.terminate();
    running.wait_log("SIGTERM received").await;
    // Still accepting and serving new requests during requestAcceptGraceTimeout.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client::get(addr, "x", "/").await.status, 200);
    running.wait_log("entrypoint draining").await;
    assert!(
        stopped_at.elapsed() >= Duration::from_millis(900),
        "drained too early"
    );
    assert_eq!(running.exit_code().await, 0);
}
