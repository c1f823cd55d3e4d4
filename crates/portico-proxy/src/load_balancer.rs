//! A service that spreads requests over a set of servers.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use portico_core::{HttpRequest, HttpResponse, ProxyError};
use tower::Service;

use crate::{Forwarder, Target, balancer::Wrr};

/// A load-balanced service (`loadBalancer`): picks a server by smooth weighted
/// round robin and forwards the request to it. Failures become responses through
/// [`ProxyError::into_response`], so the service never fails.
///
/// Cloning is cheap and clones share the balancer state. See the crate docs for an
/// example.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    servers: Box<[Arc<Target>]>,
    wrr: Wrr,
    forwarder: Forwarder,
}

// === impl LoadBalancer ===

impl LoadBalancer {
    /// A balancer over `(server, weight)` pairs.
    pub fn new(servers: Vec<(Arc<Target>, u32)>, forwarder: Forwarder) -> LoadBalancer {
        let weights: Vec<u32> = servers.iter().map(|(_, w)| *w).collect();
        LoadBalancer {
            inner: Arc::new(Inner {
                servers: servers.into_iter().map(|(t, _)| t).collect(),
                wrr: Wrr::new(&weights),
                forwarder,
            }),
        }
    }

    /// The servers, in configuration order.
    pub fn servers(&self) -> &[Arc<Target>] {
        &self.inner.servers
    }
}

impl Service<HttpRequest> for LoadBalancer {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move {
            let Some(index) = inner.wrr.next() else {
                return Ok(ProxyError::NoAvailableServer.into_response());
            };
            let target = &inner.servers[index];
            match inner.forwarder.forward(request, target).await {
                Ok(response) => Ok(response),
                Err(error) => {
                    tracing::debug!(server = target.url(), %error, "forwarding failed");
                    Ok(error.into_response())
                }
            }
        })
    }
}
