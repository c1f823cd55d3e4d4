//! The per-entrypoint dispatch service.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use arc_swap::ArcSwap;
use pin_project_lite::pin_project;
use portico_core::{BoxHttpService, ConnectionInfo, HttpRequest, HttpResponse, respond};
use portico_rules::{RequestView, canonical_host, routing_path};
use tower::ServiceExt as _;
use tower::{Service, util::Oneshot};

use crate::RouteTable;

/// Dispatches each request to the first matching route of the current
/// [`RouteTable`], or answers `404 page not found`.
///
/// Cloning is cheap; clones share the table, so [`Router::publish`] on any clone
/// switches them all. The table is loaded once per request, and a request runs to
/// completion on the services of the table it started with.
#[derive(Clone, Debug)]
pub struct Router {
    table: Arc<ArcSwap<RouteTable>>,
}

pin_project! {
    /// The response future of [`Router`].
    pub struct ResponseFuture {
        #[pin]
        kind: Kind,
    }
}

/// Marks the `404` a [`Router`] answers when no route matched (as opposed to a
/// `404` from a backend), for layers that handle what no router wants, such as
/// the ACME HTTP-01 responder under `allowACMEByPass`.
///
/// # Example
///
/// ```
/// use portico_router::{RouteTable, Router, Unrouted};
/// use tower::ServiceExt;
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let router = Router::new(RouteTable::empty());
/// let request = http::Request::new(portico_core::Body::empty());
/// let response = router.oneshot(request).await.unwrap();
/// assert!(response.extensions().get::<Unrouted>().is_some());
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unrouted;

pin_project! {
    #[project = KindProj]
    enum Kind {
        Route { #[pin] future: Oneshot<BoxHttpService, HttpRequest> },
        NotFound,
    }
}

// === impl Router ===

impl Router {
    /// A router serving `table`.
    pub fn new(table: RouteTable) -> Router {
        Router {
            table: Arc::new(ArcSwap::from_pointee(table)),
        }
    }

    /// Replaces the table for every request that starts from now on.
    pub fn publish(&self, table: RouteTable) {
        self.table.store(Arc::new(table));
    }

    /// The current table.
    pub fn table(&self) -> Arc<RouteTable> {
        self.table.load_full()
    }
}

impl Service<HttpRequest> for Router {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let (parts, body) = request.into_parts();
        let service = {
            let table = self.table.load();
            let host = canonical_host(&parts);
            let path = routing_path(parts.uri.path());
            let view = RequestView {
                method: &parts.method,
                host: &host,
                path: &path,
                query: parts.uri.query(),
                headers: &parts.headers,
                client_ip: parts
                    .extensions
                    .get::<ConnectionInfo>()
                    .map(|c| c.peer.ip()),
            };
            table.find(&view).map(|route| route.service().clone())
        };
        let kind = match service {
            Some(service) => Kind::Route {
                future: service.oneshot(HttpRequest::from_parts(parts, body)),
            },
            None => Kind::NotFound,
        };
        ResponseFuture { kind }
    }
}

// === impl ResponseFuture ===

impl Future for ResponseFuture {
    type Output = Result<HttpResponse, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Route { future } => future.poll(cx),
            KindProj::NotFound => {
                let mut response = respond::not_found();
                response.extensions_mut().insert(Unrouted);
                Poll::Ready(Ok(response))
            }
        }
    }
}
