//! Portico's building blocks with your own tower layer in the stack.
//!
//! Run with `cargo run -p portico --example custom_layer`.
//!
//! Starts a whoami backend on 127.0.0.1:0, routes `PathPrefix(`/api`)` to it with
//! Portico's router and load balancer, and puts a custom layer in front of the
//! router: it counts requests and stamps every response with `X-Request-Count`.
//! Then it sends three requests through the entrypoint and prints what came back.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
};

use portico::{
    config::model::{EntryPointSpec, ListenAddress},
    core::{HttpRequest, HttpResponse, box_http_service},
    proxy, router, rules, server, service,
};
use tower::{Layer, Service};

/// Counts requests and tells each response its number.
#[derive(Clone, Default)]
struct CountLayer {
    count: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Count<S> {
    inner: S,
    count: Arc<AtomicU64>,
}

impl<S> Layer<S> for CountLayer {
    type Service = Count<S>;

    fn layer(&self, inner: S) -> Count<S> {
        Count {
            inner,
            count: self.count.clone(),
        }
    }
}

impl<S> Service<HttpRequest> for Count<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let n = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            response.headers_mut().insert("x-request-count", n.into());
            Ok(response)
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A backend to route to.
    let backend = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let backend_addr = backend.local_addr()?;
    tokio::spawn(portico_whoami::serve(
        backend,
        Some("example".into()),
        std::future::pending(),
    ));

    // Portico's forwarding service and router, built by hand.
    let transport = proxy::Transport::new(&proxy::TransportSettings::default())?;
    let target = proxy::Target::parse(&format!("http://{backend_addr}"))?;
    let balancer = service::LoadBalancer::builder("api", proxy::Forwarder::new(transport))
        .server(Arc::new(target), 1)
        .build()?;
    let mut table = router::RouteTable::builder();
    let rule = rules::Rule::parse("PathPrefix(`/api`)", rules::Syntax::V3)?;
    table.route("api", rule, None, box_http_service(balancer));
    let router = router::Router::new(table.build());

    // Your layer around Portico's router, served by a Portico entrypoint.
    let stack = CountLayer::default().layer(router);
    let spec = EntryPointSpec::new("web", ListenAddress::parse("127.0.0.1:0")?);
    let entrypoint = server::EntryPoint::bind(spec)?;
    let addr = entrypoint.local_addr();
    let running = entrypoint.serve(stack);
    println!("entrypoint on http://{addr}");

    for path in ["/api/a", "/api/b", "/elsewhere"] {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await?;
        let mut response = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut response).await?;
        let status = response.lines().next().unwrap_or_default();
        let count = response
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("x-request-count"))
            .unwrap_or("x-request-count: ?");
        println!("{path:<10} -> {status} ({count})");
    }
    running.shutdown().await;
    Ok(())
}
