//! Traefik's `mirroring` service: the main service answers, mirrors get copies.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use http::{Request, header, request::Parts};
use http_body_util::BodyExt;
use portico_core::{
    Body, BoxHttpService, BufferedBody, Collected, ConnectionInfo, HttpRequest, HttpResponse,
    ProxyError, TlsInfo, collect_up_to,
};
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

use crate::ServiceHealth;

type BoxFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

/// The body limit used for mirroring and failover replays when none is
/// configured (Traefik's is unbounded; Portico never buffers without bound).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;

/// How many copies to one mirror may be in flight by default.
const DEFAULT_MAX_IN_FLIGHT: usize = 128;

/// One mirror of a [`Mirroring`] service: a child service and the share of
/// requests it gets a copy of.
#[derive(Clone, Debug)]
pub struct Mirror {
    name: Arc<str>,
    service: BoxHttpService,
    percent: u8,
}

/// Traefik's `mirroring` service.
///
/// **Which requests are copied.** As Traefik does, selection is a deterministic
/// counter, not a random draw: every request increments a total, and a mirror
/// with `percent` p gets a copy when `copies * 100 < total * p` (then `copies`
/// grows). A 30 % mirror thus gets exactly 3 copies in any 10 consecutive
/// requests, spread evenly.
///
/// **Never slowing or failing the main request.** The main service's response
/// is what the client gets. Copies leave once the main service has answered (its
/// response headers), as Traefik sends them after the main handler, and none is
/// sent if the client went away before that. Each copy is a spawned task whose
/// response is read and dropped: a mirror that fails, answers an error or hangs
/// changes nothing for the client. At most `max_in_flight` copies per mirror are
/// in flight (128 by default); beyond that, copies to that mirror are dropped, so
/// a hung mirror cannot pile up tasks or memory.
///
/// **Bodies** (`mirrorBody`, default true). When at least one copy is due, the
/// request body is read into memory first, up to `maxBodySize`, then replayed to
/// the main service and to every mirror. A body larger than the limit is, as in
/// Traefik, streamed whole to the main service and **not mirrored** at all (no
/// 413). Traefik's default `maxBodySize` is -1 (unbounded); Portico never buffers
/// without bound: with no limit configured it uses [`DEFAULT_MAX_BODY_BYTES`]
/// (2 MiB, Traefik's `retry` default). With `mirrorBody: false` nothing is
/// buffered and copies are sent without a body (`Content-Length` and
/// `Transfer-Encoding` removed).
///
/// Copies carry the request's method, URI, version, headers and body, and its
/// [`ConnectionInfo`] and [`TlsInfo`] (so forwarding adds the same
/// `X-Forwarded-For`); other extensions stay with the main request. A body that
/// cannot be read (the client broke off) is answered `400`.
///
/// Health: with `health_check` the service follows the main service; without,
/// it is always up.
///
/// # Example
///
/// ```
/// use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
/// use portico_service::{Mirror, Mirroring, ServiceHealth};
/// use std::convert::Infallible;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let answer = |name: &'static str| {
///     box_http_service(tower::service_fn(move |_req: HttpRequest| async move {
///         Ok::<_, Infallible>(HttpResponse::new(Body::from(name)))
///     }))
/// };
/// let mirroring = Mirroring::new(
///     (answer("main"), ServiceHealth::always_up()),
///     vec![Mirror::new("shadow", answer("shadow"), 10)],
/// )
/// .max_body_size(Some(1024));
/// let response = mirroring.oneshot(HttpRequest::new(Body::from("hi"))).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # }
/// ```
///
/// Cloning is cheap; clones share the selection counters and in-flight limits.
#[derive(Clone, Debug)]
pub struct Mirroring {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    main: BoxHttpService,
    main_health: ServiceHealth,
    mirrors: Arc<[Slot]>,
    counter: Arc<Mutex<Counter>>,
    mirror_body: bool,
    max_body: u64,
    health_check: bool,
}

/// A mirror with its in-flight limit.
#[derive(Debug)]
struct Slot {
    mirror: Mirror,
    in_flight: Arc<Semaphore>,
}

/// Traefik's deterministic selection state.
#[derive(Debug)]
struct Counter {
    total: u64,
    copies: Box<[u64]>,
}

/// The head of every copy: method, URI, version and headers, plus the
/// connection facts among the extensions.
#[derive(Clone, Debug)]
struct Head {
    parts: Parts,
}

// === impl Mirror ===

impl Mirror {
    /// A mirror called `name` getting copies of `percent` % of requests (values
    /// above 100 count as 100).
    pub fn new(name: impl Into<Arc<str>>, service: BoxHttpService, percent: u8) -> Mirror {
        Mirror {
            name: name.into(),
            service,
            percent: percent.min(100),
        }
    }

    /// The mirror's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

// === impl Mirroring ===

impl Mirroring {
    /// A mirroring service answering from `main` (service and health) and
    /// copying to `mirrors`, with Traefik's defaults: bodies mirrored, limit
    /// [`DEFAULT_MAX_BODY_BYTES`], no health propagation.
    pub fn new(main: (BoxHttpService, ServiceHealth), mirrors: Vec<Mirror>) -> Mirroring {
        let copies = vec![0; mirrors.len()].into_boxed_slice();
        Mirroring {
            inner: Arc::new(Inner {
                main: main.0,
                main_health: main.1,
                mirrors: slots(mirrors, DEFAULT_MAX_IN_FLIGHT),
                counter: Arc::new(Mutex::new(Counter { total: 0, copies })),
                mirror_body: true,
                max_body: DEFAULT_MAX_BODY_BYTES,
                health_check: false,
            }),
        }
    }

    /// Whether copies carry the request body (`mirrorBody`, default true).
    pub fn mirror_body(mut self, on: bool) -> Mirroring {
        Arc::make_mut(&mut self.inner).mirror_body = on;
        self
    }

    /// The largest body mirrored (`maxBodySize`); `None` (Traefik's -1) means
    /// [`DEFAULT_MAX_BODY_BYTES`].
    pub fn max_body_size(mut self, limit: Option<u64>) -> Mirroring {
        Arc::make_mut(&mut self.inner).max_body = limit.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        self
    }

    /// How many copies to each mirror may be in flight at once (default 128, at
    /// least 1); further copies to a mirror at its limit are dropped.
    pub fn max_in_flight(mut self, limit: usize) -> Mirroring {
        let inner = Arc::make_mut(&mut self.inner);
        let mirrors = inner.mirrors.iter().map(|s| s.mirror.clone()).collect();
        inner.mirrors = slots(mirrors, limit.clamp(1, Semaphore::MAX_PERMITS));
        self
    }

    /// Whether the main service's health is propagated (`healthCheck: {}`).
    pub fn health_check(mut self, on: bool) -> Mirroring {
        Arc::make_mut(&mut self.inner).health_check = on;
        self
    }

    /// The service's health: the main service's with `health_check`, else always
    /// up.
    pub fn health(&self) -> ServiceHealth {
        if self.inner.health_check {
            self.inner.main_health.clone()
        } else {
            ServiceHealth::always_up()
        }
    }
}

impl Service<HttpRequest> for Mirroring {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> BoxFuture {
        let selected = self.inner.select();
        if selected.is_empty() {
            return Box::pin(self.inner.main.clone().oneshot(request));
        }
        let inner = self.inner.clone();
        Box::pin(async move { inner.serve(request, selected).await })
    }
}

// === impl Inner ===

impl Inner {
    /// The mirrors due a copy of this request (Traefik's counters).
    fn select(&self) -> Vec<usize> {
        if self.mirrors.is_empty() {
            return Vec::new();
        }
        let mut counter = self
            .counter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counter.total += 1;
        let total = counter.total;
        let mut selected = Vec::new();
        for (index, slot) in self.mirrors.iter().enumerate() {
            let copies = &mut counter.copies[index];
            if copies.saturating_mul(100) < total.saturating_mul(u64::from(slot.mirror.percent)) {
                *copies += 1;
                selected.push(index);
            }
        }
        selected
    }

    async fn serve(
        &self,
        request: HttpRequest,
        selected: Vec<usize>,
    ) -> Result<HttpResponse, Infallible> {
        let (parts, body) = request.into_parts();
        let mut head = Head::of(&parts);
        let (main_body, copy_body) = if self.mirror_body {
            match collect_up_to(body, Some(self.max_body)).await {
                Ok(Collected::Whole(buffered)) => (buffered.body(), Some(buffered)),
                Ok(Collected::Partial(read, rest)) => {
                    tracing::debug!(
                        limit = self.max_body,
                        "no mirroring, request body larger than allowed"
                    );
                    return self
                        .main
                        .clone()
                        .oneshot(Request::from_parts(parts, read.then(rest)))
                        .await;
                }
                Err(error) => {
                    tracing::debug!(%error, "no mirroring, cannot read request body");
                    return Ok(ProxyError::BadRequest {
                        reason: "cannot read request body",
                    }
                    .into_response());
                }
            }
        } else {
            head.strip_body_headers();
            (body, None)
        };
        let response = self
            .main
            .clone()
            .oneshot(Request::from_parts(parts, main_body))
            .await?;
        for index in selected {
            let body = copy_body
                .as_ref()
                .map_or_else(Body::empty, BufferedBody::body);
            self.send_copy(&self.mirrors[index], head.request(body));
        }
        Ok(response)
    }

    /// Sends `request` to the mirror in a task of its own, unless the mirror is
    /// at its in-flight limit (or there is no runtime to run the task on).
    fn send_copy(&self, slot: &Slot, request: HttpRequest) {
        let Ok(permit) = slot.in_flight.clone().try_acquire_owned() else {
            tracing::debug!(mirror = %slot.mirror.name, "mirror copy dropped, too many in flight");
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::debug!(mirror = %slot.mirror.name, "mirror copy dropped, no runtime");
            return;
        };
        let pending = slot.mirror.service.clone().oneshot(request);
        let name = slot.mirror.name.clone();
        runtime.spawn(async move {
            let Ok(response) = pending.await;
            tracing::trace!(mirror = %name, status = response.status().as_u16(), "mirror answered");
            let mut body = response.into_body();
            // Read the answer to its end so the connection can be reused.
            while let Some(Ok(_)) = body.frame().await {}
            drop(permit);
        });
    }
}

// === impl Head ===

impl Head {
    fn of(parts: &Parts) -> Head {
        let (mut request, ()) = Request::new(()).into_parts();
        request.method = parts.method.clone();
        request.uri = parts.uri.clone();
        request.version = parts.version;
        request.headers = parts.headers.clone();
        if let Some(info) = parts.extensions.get::<ConnectionInfo>() {
            request.extensions.insert(info.clone());
        }
        if let Some(tls) = parts.extensions.get::<Arc<TlsInfo>>() {
            request.extensions.insert(tls.clone());
        }
        Head { parts: request }
    }

    fn strip_body_headers(&mut self) {
        self.parts.headers.remove(header::CONTENT_LENGTH);
        self.parts.headers.remove(header::TRANSFER_ENCODING);
    }

    fn request(&self, body: Body) -> HttpRequest {
        Request::from_parts(self.parts.clone(), body)
    }
}

fn slots(mirrors: Vec<Mirror>, limit: usize) -> Arc<[Slot]> {
    mirrors
        .into_iter()
        .map(|mirror| Slot {
            mirror,
            in_flight: Arc::new(Semaphore::new(limit)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_core::box_http_service;

    fn ok() -> BoxHttpService {
        box_http_service(tower::service_fn(|_req: HttpRequest| async {
            Ok::<_, Infallible>(HttpResponse::new(Body::empty()))
        }))
    }

    #[test]
    fn selection_is_traefiks_counter() {
        let mirroring = Mirroring::new(
            (ok(), ServiceHealth::always_up()),
            vec![
                Mirror::new("a", ok(), 30),
                Mirror::new("b", ok(), 100),
                Mirror::new("c", ok(), 0),
                Mirror::new("d", ok(), 200),
            ],
        );
        let mut counts = [0; 4];
        let mut first_ten_a = Vec::new();
        for n in 0..1000 {
            let selected = mirroring.inner.select();
            if n < 10 {
                first_ten_a.push(selected.contains(&0));
            }
            for i in selected {
                counts[i] += 1;
            }
        }
        assert_eq!(counts, [300, 1000, 0, 1000]);
        // Copies are spread: never two in a row for a 30 % mirror.
        assert_eq!(first_ten_a.iter().filter(|x| **x).count(), 3);
        assert!(
            first_ten_a.windows(2).all(|w| !(w[0] && w[1])),
            "{first_ten_a:?}"
        );
    }

    #[test]
    fn copies_keep_the_head_and_connection_facts() {
        let mut request = Request::post("http://example.com/a?b=c")
            .header("x-test", "1")
            .header("content-length", "5")
            .body(())
            .unwrap();
        let info = ConnectionInfo::new(
            "192.0.2.1:1234".parse().unwrap(),
            "127.0.0.1:80".parse().unwrap(),
            "web".into(),
            false,
        );
        request.extensions_mut().insert(info.clone());
        request.extensions_mut().insert(42u32);
        let (parts, ()) = request.into_parts();
        let mut head = Head::of(&parts);
        let copy = head.request(Body::empty());
        assert_eq!(copy.method(), "POST");
        assert_eq!(copy.uri(), "http://example.com/a?b=c");
        assert_eq!(copy.headers()["x-test"], "1");
        assert_eq!(copy.extensions().get::<ConnectionInfo>(), Some(&info));
        assert_eq!(copy.extensions().get::<u32>(), None);
        head.strip_body_headers();
        assert!(
            !head
                .request(Body::empty())
                .headers()
                .contains_key("content-length")
        );
    }
}
