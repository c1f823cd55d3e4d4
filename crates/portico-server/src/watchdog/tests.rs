use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

use super::*;

fn limits(read: u64, idle: u64) -> Limits {
    Limits {
        read: Some(Duration::from_secs(read)),
        write: None,
        idle: Some(Duration::from_secs(idle)),
    }
}

#[tokio::test(start_paused = true)]
async fn silent_client_times_out_after_read_timeout() {
    let (client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state, limits(60, 180));
    let start = Instant::now();
    let mut buf = [0u8; 8];
    let err = io.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(start.elapsed().as_secs(), 60);
    drop(client);
}

#[tokio::test(start_paused = true)]
async fn idle_keep_alive_uses_idle_timeout() {
    let (mut client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(10, 30));
    client.write_all(b"GET").await.unwrap();
    let mut buf = [0u8; 3];
    io.read_exact(&mut buf).await.unwrap();
    state.request_started(false);
    state.response_finished();
    let idle_start = Instant::now();
    let err = io.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(idle_start.elapsed().as_secs(), 30);
}

#[tokio::test(start_paused = true)]
async fn slow_head_after_idle_uses_read_timeout_from_first_byte() {
    let (mut client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(10, 100));
    state.request_started(false);
    state.response_finished();
    tokio::time::sleep(Duration::from_secs(50)).await;
    client.write_all(b"G").await.unwrap();
    let mut buf = [0u8; 1];
    io.read_exact(&mut buf).await.unwrap();
    let first_byte = Instant::now();
    let err = io.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(first_byte.elapsed().as_secs(), 10);
}

#[tokio::test(start_paused = true)]
async fn busy_connection_is_not_cut_without_write_timeout() {
    let (mut client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(10, 10));
    state.request_started(false);
    let reader = tokio::spawn(async move {
        let mut buf = [0u8; 1];
        io.read_exact(&mut buf).await.map(|_| buf[0])
    });
    tokio::time::sleep(Duration::from_secs(3600)).await;
    client.write_all(b"x").await.unwrap();
    assert_eq!(reader.await.unwrap().unwrap(), b'x');
}

#[tokio::test(start_paused = true)]
async fn open_request_body_is_bounded_by_read_timeout() {
    let (_client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(20, 1000));
    state.request_started(true);
    let start = Instant::now();
    let mut buf = [0u8; 1];
    assert_eq!(
        io.read(&mut buf).await.unwrap_err().kind(),
        io::ErrorKind::TimedOut
    );
    assert_eq!(start.elapsed().as_secs(), 20);
}

#[tokio::test(start_paused = true)]
async fn upgraded_connections_have_no_deadline() {
    let (mut client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(1, 1));
    state.request_started(false);
    state.upgraded();
    state.response_finished();
    let reader = tokio::spawn(async move {
        let mut buf = [0u8; 1];
        io.read_exact(&mut buf).await.map(|_| buf[0])
    });
    tokio::time::sleep(Duration::from_secs(600)).await;
    client.write_all(b"y").await.unwrap();
    assert_eq!(reader.await.unwrap().unwrap(), b'y');
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_shorter_than_read_timeout_is_on_time() {
    let (mut client, server) = duplex(64);
    let state = ConnState::new();
    let mut io = WatchdogIo::new(server, state.clone(), limits(60, 1));
    client.write_all(b"GET").await.unwrap();
    let mut buf = [0u8; 3];
    io.read_exact(&mut buf).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    state.request_started(false);
    tokio::time::sleep(Duration::from_millis(400)).await;
    state.response_finished();
    let idle_start = Instant::now();
    let err = io.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(idle_start.elapsed().as_millis(), 1000);
}

#[tokio::test(start_paused = true)]
async fn without_limits_there_is_no_timer() {
    let (_client, server) = duplex(64);
    let io = WatchdogIo::new(server, ConnState::new(), Limits::default());
    assert!(io.sleep.is_none());
}
