//! A server-sent events backend that sends its first event at once and each
//! later event only when the test releases it, so a test can show the proxy
//! flushes a long-lived response promptly instead of holding it back.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() {
//! use portico_test_support::sse;
//!
//! let backend = sse::start(&["one", "two"]).await;
//! // ... open a streaming request to backend.addr() (any path) and read
//! // `data: one\n\n` before calling:
//! backend.release();
//! // ... then read `data: two\n\n`; the response ends after the last event.
//! # }
//! ```

use std::{convert::Infallible, net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::State,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use tokio::sync::{Semaphore, watch};

use crate::upstream::{self, Upstream};

/// A running SSE backend; stopped when dropped.
#[derive(Debug)]
pub struct SseBackend {
    upstream: Upstream,
    state: Arc<SseState>,
}

#[derive(Debug)]
struct SseState {
    events: Vec<String>,
    release: Semaphore,
    /// Events sent so far, over every stream.
    sent: watch::Sender<usize>,
}

/// Starts an SSE backend on `127.0.0.1:0`. Every request (any path) gets a
/// `text/event-stream` response carrying `events` in order, one `data:` line
/// each; the first is sent at once, each next one after a
/// [`SseBackend::release`].
pub async fn start(events: &[&str]) -> SseBackend {
    let state = Arc::new(SseState {
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        release: Semaphore::new(0),
        sent: watch::channel(0).0,
    });
    let router = axum::Router::new()
        .fallback(stream_events)
        .with_state(state.clone());
    SseBackend {
        upstream: upstream::axum(router).await,
        state,
    }
}

async fn stream_events(State(state): State<Arc<SseState>>) -> Response {
    let events = futures_util::stream::unfold(0usize, move |i| {
        let state = state.clone();
        async move {
            let event = state.events.get(i)?;
            if i > 0 {
                state.release.acquire().await.ok()?.forget();
            }
            state.sent.send_modify(|sent| *sent += 1);
            Some((
                Ok::<_, Infallible>(Bytes::from(format!("data: {event}\n\n"))),
                i + 1,
            ))
        }
    });
    (
        [
            (http::header::CONTENT_TYPE, "text/event-stream"),
            (http::header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(events),
    )
        .into_response()
}

// === impl SseBackend ===

impl SseBackend {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.upstream.addr()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.upstream.url()
    }

    /// Lets one waiting stream send its next event.
    pub fn release(&self) {
        self.state.release.add_permits(1);
    }

    /// Events written so far, over every stream.
    pub fn sent(&self) -> usize {
        *self.state.sent.borrow()
    }

    /// Waits until `n` events have been written, over every stream.
    pub async fn wait_sent(&self, n: usize) {
        let mut sent = self.state.sent.subscribe();
        let _ = sent.wait_for(|sent| *sent >= n).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http_body_util::BodyExt;
    use hyper_util::rt::TokioIo;

    use super::*;

    #[tokio::test]
    async fn first_event_is_sent_at_once_and_the_next_only_when_released() {
        let backend = start(&["one", "two"]).await;
        let stream = tokio::net::TcpStream::connect(backend.addr())
            .await
            .expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let request = http::Request::get("/events")
            .header("host", "sse.test")
            .body(http_body_util::Empty::<Bytes>::new())
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "SSE content type"
        );
        let mut body = response.into_body();
        let limit = Duration::from_secs(5);

        let first = tokio::time::timeout(limit, body.frame())
            .await
            .expect("first event in time")
            .expect("a frame")
            .expect("no error");
        assert_eq!(first.into_data().expect("data"), "data: one\n\n");

        let early = tokio::time::timeout(Duration::from_millis(150), body.frame()).await;
        assert!(early.is_err(), "second event must wait for release");
        assert_eq!(backend.sent(), 1);

        backend.release();
        let second = tokio::time::timeout(limit, body.frame())
            .await
            .expect("second event in time")
            .expect("a frame")
            .expect("no error");
        assert_eq!(second.into_data().expect("data"), "data: two\n\n");
        backend.wait_sent(2).await;

        let end = tokio::time::timeout(limit, body.frame())
            .await
            .expect("end in time");
        assert!(end.is_none(), "stream ends after the last event");
    }
}
