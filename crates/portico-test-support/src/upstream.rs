//! Backends for tests, each on its own `127.0.0.1:0` listener.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use tokio::{io::AsyncReadExt, net::TcpListener, sync::oneshot, task::JoinHandle};

/// A running backend; stopped when dropped.
#[derive(Debug)]
pub struct Upstream {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    connections: Arc<AtomicUsize>,
}

impl Upstream {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far (only counted by [`hanging`] and [`raw`]).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Stops the backend and waits until its listener is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// A whoami backend named `name` (its responses carry `X-Whoami-Name: name`).
pub async fn whoami(name: &str) -> Upstream {
    let listener = listener().await;
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let name = name.to_owned();
    let task = tokio::spawn(async move {
        let _ = portico_whoami::serve(listener, Some(name), async {
            let _ = stopped.await;
        })
        .await;
    });
    Upstream {
        addr,
        stop: Some(stop),
        task,
        connections: Arc::default(),
    }
}

/// Any axum router as a backend.
pub async fn axum(router: axum::Router) -> Upstream {
    let listener = listener().await;
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Upstream {
        addr,
        stop: Some(stop),
        task,
        connections: Arc::default(),
    }
}

/// A backend that accepts connections, reads what it is sent and never answers.
pub async fn hanging() -> Upstream {
    raw(|mut stream| async move {
        let mut buf = [0u8; 4096];
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await
}

/// A backend that hands every accepted connection to `handle`.
pub async fn raw<F, Fut>(handle: F) -> Upstream
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = listener().await;
    let addr = listener.local_addr().expect("local addr");
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let handle = Arc::new(handle);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(stream));
        }
    });
    Upstream {
        addr,
        stop: None,
        task,
        connections,
    }
}

/// An address nothing listens on: connecting to it is refused.
pub fn refused_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local addr")
    // The listener is dropped here; the port is closed.
}
