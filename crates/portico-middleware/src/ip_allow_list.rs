//! Traefik's `ipAllowList`: only clients within some networks get through.
//!
//! The client IP is found by an [`IpStrategy`](crate::client_ip::IpStrategy) (the
//! connection's peer by default, or an `X-Forwarded-For` entry). A client outside
//! every network, or a request whose strategy finds no IP (for example a `depth`
//! beyond the `X-Forwarded-For` list), is answered `403 Forbidden` (or the
//! configured status) with the status text as body, without calling the inner
//! service. IPv4-mapped IPv6 clients match IPv4 networks.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::{client_ip::IpStrategy, ip_allow_list::IpAllowListLayer};
//!
//! let layer = IpAllowListLayer::new(
//!     vec!["10.0.0.0/8".parse().unwrap(), "192.0.2.7/32".parse().unwrap()],
//!     IpStrategy::peer(),
//! )
//! .reject_status(http::StatusCode::NOT_FOUND);
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

use std::{
    net::IpAddr,
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderValue, Request, Response, StatusCode, header};
use ipnet::IpNet;
use tower::{Layer, Service};

use crate::{ResponseFuture, client_ip::IpStrategy};

/// Lets only allowed clients through; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct IpAllowListLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    networks: Vec<IpNet>,
    strategy: IpStrategy,
    reject: StatusCode,
}

/// The service made by [`IpAllowListLayer`].
#[derive(Clone, Debug)]
pub struct IpAllowList<S> {
    inner: S,
    shared: Arc<Shared>,
}

// === impl IpAllowListLayer ===

impl IpAllowListLayer {
    /// Allows clients within `networks` (an empty list allows nobody), found by
    /// `strategy`; others get `403 Forbidden`.
    pub fn new(networks: Vec<IpNet>, strategy: IpStrategy) -> Self {
        IpAllowListLayer {
            shared: Arc::new(Shared {
                networks,
                strategy,
                reject: StatusCode::FORBIDDEN,
            }),
        }
    }

    /// Answers rejected clients with `status` instead of 403 (`rejectStatusCode`).
    pub fn reject_status(self, status: StatusCode) -> Self {
        let shared = &*self.shared;
        IpAllowListLayer {
            shared: Arc::new(Shared {
                networks: shared.networks.clone(),
                strategy: shared.strategy.clone(),
                reject: status,
            }),
        }
    }

    /// Whether `ip` is within the allowed networks.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.shared.allows(ip)
    }
}

impl<S> Layer<S> for IpAllowListLayer {
    type Service = IpAllowList<S>;

    fn layer(&self, inner: S) -> Self::Service {
        IpAllowList {
            inner,
            shared: self.shared.clone(),
        }
    }
}

impl Shared {
    fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|n| n.contains(&ip))
    }
}

// === impl IpAllowList ===

impl<S> IpAllowList<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B, ResB> Service<Request<B>> for IpAllowList<S>
where
    S: Service<Request<B>, Response = Response<ResB>>,
    ResB: From<&'static str>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let ip = self.shared.strategy.client_ip(&request);
        if ip.is_some_and(|ip| self.shared.allows(ip)) {
            return ResponseFuture::inner(self.inner.call(request));
        }
        tracing::debug!(client = ?ip, "rejected by ipAllowList");
        ResponseFuture::rejected(status_text(self.shared.reject))
    }
}

/// A response with `status` and Go's `http.StatusText` as a plain-text body, as
/// Traefik writes it.
pub(crate) fn status_text<B: From<&'static str>>(status: StatusCode) -> Response<B> {
    let text = match status.as_u16() {
        // Where Go's reason phrases differ from the `http` crate's.
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        416 => "Requested Range Not Satisfiable",
        422 => "Unprocessable Entity",
        _ => status.canonical_reason().unwrap_or(""),
    };
    let mut response = Response::new(B::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use portico_core::ConnectionInfo;
    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn status(layer: &IpAllowListLayer, peer: &str, xff: Option<&str>) -> u16 {
        let svc = layer.layer(service_fn(|_: Request<()>| async {
            Ok::<_, Infallible>(Response::new(String::from("ok")))
        }));
        let mut request = Request::new(());
        if let Some(xff) = xff {
            request
                .headers_mut()
                .insert("x-forwarded-for", xff.parse().expect("value"));
        }
        request.extensions_mut().insert(ConnectionInfo::new(
            peer.parse().expect("peer"),
            "127.0.0.1:80".parse().expect("local"),
            "web".into(),
            false,
        ));
        let response = svc.oneshot(request).await.expect("infallible");
        if response.status() != StatusCode::OK {
            assert_eq!(
                response.body(),
                response.status().canonical_reason().unwrap_or_default()
            );
        }
        response.status().as_u16()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("net")).collect()
    }

    #[tokio::test]
    async fn peer_inside_and_outside() {
        let layer =
            IpAllowListLayer::new(nets(&["10.0.0.0/8", "2001:db8::/32"]), IpStrategy::peer());
        assert_eq!(status(&layer, "10.1.2.3:5", None).await, 200);
        assert_eq!(status(&layer, "[2001:db8::7]:5", None).await, 200);
        assert_eq!(status(&layer, "[::ffff:10.0.0.9]:5", None).await, 200);
        assert_eq!(status(&layer, "192.0.2.1:5", None).await, 403);
        // The peer strategy ignores a spoofed X-Forwarded-For.
        assert_eq!(status(&layer, "192.0.2.1:5", Some("10.0.0.1")).await, 403);
    }

    #[tokio::test]
    async fn depth_strategy_and_custom_status() {
        let layer = IpAllowListLayer::new(nets(&["203.0.113.0/24"]), IpStrategy::depth(2))
            .reject_status(StatusCode::NOT_FOUND);
        assert_eq!(
            status(&layer, "10.0.0.1:5", Some("203.0.113.4, 10.0.0.2")).await,
            200
        );
        assert_eq!(
            status(&layer, "10.0.0.1:5", Some("198.51.100.1, 10.0.0.2")).await,
            404
        );
        // Depth beyond the list: no IP, rejected (never the peer).
        assert_eq!(status(&layer, "203.0.113.9:5", Some("10.0.0.2")).await, 404);
        assert_eq!(status(&layer, "203.0.113.9:5", None).await, 404);
    }

    #[tokio::test]
    async fn no_connection_info_is_rejected() {
        let layer = IpAllowListLayer::new(nets(&["0.0.0.0/0"]), IpStrategy::peer());
        let svc = layer.layer(service_fn(|_: Request<()>| async {
            Ok::<_, Infallible>(Response::new(String::new()))
        }));
        let response = svc.oneshot(Request::new(())).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(layer.allows("8.8.8.8".parse().expect("ip")));
    }
}
