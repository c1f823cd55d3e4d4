//! Traefik's `inFlightReq`: at most `amount` requests at once per source.
//!
//! A request counts from the moment it enters until its response body has been
//! sent (or dropped), as in Traefik where the handler returns after the body is
//! written. Over the limit, the request is answered `429 Too Many Requests` with
//! Traefik's body `max connections reached: <amount>`, without calling the inner
//! service. The source is found by a
//! [`SourceCriterion`](crate::client_ip::SourceCriterion) (Traefik's default for
//! this middleware is the requested host). Counters are removed when they drop to
//! zero, so memory follows the number of requests in flight.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::{client_ip::{IpStrategy, SourceCriterion}, in_flight_req::InFlightReqLayer};
//!
//! let layer = InFlightReqLayer::new(10, SourceCriterion::Ip(IpStrategy::peer()));
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

use std::{
    collections::{HashMap, hash_map::RandomState},
    future::Future,
    hash::BuildHasher,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll, ready},
};

use bytes::Buf;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::client_ip::SourceCriterion;

/// Limits each source's concurrent requests; see the [module docs](self).
///
/// Every service made by one layer shares the same counters.
#[derive(Clone, Debug)]
pub struct InFlightReqLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    amount: u64,
    criterion: SourceCriterion,
    hasher: RandomState,
    counts: Mutex<HashMap<u64, u64>>,
}

/// The service made by [`InFlightReqLayer`].
#[derive(Clone, Debug)]
pub struct InFlightReq<S> {
    inner: S,
    shared: Arc<Shared>,
}

/// Holds one request's place until dropped.
#[derive(Debug)]
struct Permit {
    shared: Arc<Shared>,
    key: u64,
}

pin_project! {
    /// The response future of [`InFlightReq`].
    #[derive(Debug)]
    pub struct InFlightFuture<F, B> {
        #[pin]
        future: Option<F>,
        permit: Option<Permit>,
        rejected: Option<Response<B>>,
    }
}

pin_project! {
    /// A response body that releases its request's place when finished or dropped.
    #[derive(Debug)]
    pub struct InFlightBody<B> {
        #[pin]
        inner: B,
        permit: Option<Permit>,
    }
}

// === impl InFlightReqLayer ===

impl InFlightReqLayer {
    /// At most `amount` (at least 1) requests at once per source.
    pub fn new(amount: u64, criterion: SourceCriterion) -> Self {
        InFlightReqLayer {
            shared: Arc::new(Shared {
                amount: amount.max(1),
                criterion,
                hasher: RandomState::new(),
                counts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Requests in flight, all sources together.
    pub fn in_flight(&self) -> u64 {
        self.shared.counts().values().sum()
    }

    /// Sources with requests in flight.
    pub fn tracked_sources(&self) -> usize {
        self.shared.counts().len()
    }
}

impl<S> Layer<S> for InFlightReqLayer {
    type Service = InFlightReq<S>;

    fn layer(&self, inner: S) -> Self::Service {
        InFlightReq {
            inner,
            shared: self.shared.clone(),
        }
    }
}

impl Shared {
    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// === impl InFlightReq ===

impl<S> InFlightReq<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for InFlightReq<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    ResB: From<String>,
{
    type Response = Response<InFlightBody<ResB>>;
    type Error = S::Error;
    type Future = InFlightFuture<S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let key = self
            .shared
            .hasher
            .hash_one(self.shared.criterion.source(&request));
        let admitted = {
            let mut counts = self.shared.counts();
            let count = counts.entry(key).or_insert(0);
            if *count < self.shared.amount {
                *count += 1;
                true
            } else {
                false
            }
        };
        if !admitted {
            tracing::debug!(amount = self.shared.amount, "too many requests in flight");
            let mut response = Response::new(ResB::from(format!(
                "max connections reached: {}",
                self.shared.amount
            )));
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return InFlightFuture {
                future: None,
                permit: None,
                rejected: Some(response),
            };
        }
        let permit = Permit {
            shared: self.shared.clone(),
            key,
        };
        InFlightFuture {
            future: Some(self.inner.call(request)),
            permit: Some(permit),
            rejected: None,
        }
    }
}

impl<F, B, E> Future for InFlightFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<InFlightBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(response) = this.rejected.take() {
            return Poll::Ready(Ok(response.map(|inner| InFlightBody {
                inner,
                permit: None,
            })));
        }
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Pending;
        };
        let result = ready!(future.poll(cx));
        // On error the permit is dropped here, releasing the place.
        let permit = this.permit.take();
        Poll::Ready(result.map(|response| response.map(|inner| InFlightBody { inner, permit })))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self.shared.counts();
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

// === impl InFlightBody ===

impl<B> Body for InFlightBody<B>
where
    B: Body,
    B::Data: Buf,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if frame.is_none() {
            this.permit.take();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::{convert::Infallible, time::Duration};

    use http_body_util::BodyExt;
    use tokio::sync::oneshot;
    use tower::{ServiceExt, service_fn};

    use super::*;

    fn host(h: &str) -> Request<()> {
        Request::builder()
            .header("host", h)
            .body(())
            .expect("request")
    }

    #[tokio::test(start_paused = true)]
    async fn over_the_amount_is_429_until_a_body_finishes() {
        let layer = InFlightReqLayer::new(2, SourceCriterion::RequestHost);
        let svc = layer.layer(service_fn(|_: Request<()>| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, Infallible>(Response::new(String::from("done")))
        }));
        let slow1 = tokio::spawn(svc.clone().oneshot(host("a")));
        let slow2 = tokio::spawn(svc.clone().oneshot(host("a")));
        tokio::task::yield_now().await;
        assert_eq!(layer.in_flight(), 2);
        let rejected = svc.clone().oneshot(host("a")).await.expect("infallible");
        assert_eq!(rejected.status(), StatusCode::TOO_MANY_REQUESTS);
        let body = rejected
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(&body[..], b"max connections reached: 2");
        // Another host is another source.
        let other = tokio::spawn(svc.clone().oneshot(host("b")));
        tokio::task::yield_now().await;
        assert_eq!(layer.in_flight(), 3);

        let response = slow1.await.expect("join").expect("infallible");
        // Headers are out but the body is not sent yet: still in flight.
        assert_eq!(layer.in_flight(), 3);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(&body[..], b"done");
        assert_eq!(layer.in_flight(), 2);
        // Dropping an unread body also releases.
        drop(slow2.await.expect("join").expect("infallible"));
        drop(other.await.expect("join").expect("infallible"));
        assert_eq!(layer.in_flight(), 0);
        assert_eq!(layer.tracked_sources(), 0);
    }

    #[tokio::test]
    async fn cancelled_requests_release() {
        let layer = InFlightReqLayer::new(1, SourceCriterion::RequestHost);
        let (_keep, never) = oneshot::channel::<()>();
        let never = Arc::new(Mutex::new(Some(never)));
        let svc = layer.layer(service_fn(move |_: Request<()>| {
            let never = never.lock().expect("lock").take();
            async move {
                if let Some(rx) = never {
                    let _ = rx.await;
                }
                Ok::<_, Infallible>(Response::new(String::new()))
            }
        }));
        let pending = tokio::spawn(svc.clone().oneshot(host("a")));
        tokio::task::yield_now().await;
        assert_eq!(layer.in_flight(), 1);
        pending.abort();
        let _ = pending.await;
        assert_eq!(layer.in_flight(), 0);
        let ok = svc.oneshot(host("a")).await.expect("infallible");
        assert_eq!(ok.status(), StatusCode::OK);
    }
}
