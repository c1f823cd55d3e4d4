//! Sending one request to one backend.

use std::{future::Future, io, pin::pin};

use http::{
    HeaderValue, StatusCode, Version,
    header::{HOST, UPGRADE},
    uri::Authority,
};
use hyper::upgrade::OnUpgrade;
use portico_core::{Body, ConnectionInfo, Drain, HttpRequest, HttpResponse, ProxyError};
use tokio::time::Instant;
use tokio_util::either::Either;
use tracing::debug;

use crate::{
    Target, Transport, UpstreamProtocol,
    headers::{append_x_forwarded_for, remove_hop_by_hop},
    retry::{Replay, is_stale_connection},
    transport::{Http1Error, Outgoing},
    upgrade,
};

/// Sends requests to a chosen [`Target`] over a [`Transport`].
///
/// What it changes on the way (Traefik's forwarding behaviour):
/// - the URI becomes the target's scheme and authority with the request's path and
///   query unchanged (prefixed by the server path when the target preserves it);
/// - hop-by-hop headers are removed both ways ([`crate::remove_hop_by_hop`]);
/// - the client address from [`ConnectionInfo`] is appended to `X-Forwarded-For`;
/// - `Host` is the client's (`passHostHeader`, the default) or the backend's;
/// - `Upgrade` requests (WebSocket) keep their upgrade headers and, on
///   `101 Switching Protocols`, both connections are spliced together (over TLS
///   such requests use a connection that offered only `http/1.1` by ALPN).
///
/// # Protocols
///
/// `http://` servers get HTTP/1.1, `h2c://` servers cleartext HTTP/2 with prior
/// knowledge, `https://` servers TLS with h2 or HTTP/1.1 as ALPN decides (see
/// [`crate::TransportSettings`]).
///
/// # Streaming and `flushInterval`
///
/// Bodies are streamed both ways, frame by frame: nothing is buffered, and hyper
/// writes each frame to the client as soon as the backend's frame is read. A
/// response is therefore always flushed immediately, which satisfies any
/// `responseForwarding.flushInterval` (Traefik's default 100 ms, or negative for
/// every write); server-sent events and other long-lived responses are never held
/// back. Trailers (gRPC's `grpc-status`, `grpc-message`) are forwarded as they come.
///
/// # Stale keep-alive connections
///
/// When a backend closes a pooled keep-alive connection just as a request is sent
/// on it, the exchange fails before any response. A request with an idempotent
/// method (`GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT`, `DELETE`), no body and no
/// protocol switch is then sent once more on a fresh connection instead of
/// answering 502. `responseHeaderTimeout` bounds both attempts together.
///
/// See the crate docs for an example.
#[derive(Clone, Debug)]
pub struct Forwarder {
    transport: Transport,
    pass_host_header: bool,
}

/// A request made ready for its target by [`Forwarder::prepare`], to be sent
/// with [`Forwarder::send`].
#[derive(Debug)]
pub struct Prepared(Route);

#[derive(Debug)]
enum Route {
    /// An `http://` exchange on the transport's own HTTP/1.1 pool: the head is
    /// encoded, the body follows.
    Direct(Outgoing),
    /// An exchange on a hyper-util client (boxed: rarer, and larger).
    Client(Box<ClientExchange>),
}

/// What an exchange on a hyper-util client needs.
#[derive(Debug)]
struct ClientExchange {
    request: HttpRequest,
    /// The client side of a protocol switch it asked for.
    on_upgrade: Option<OnUpgrade>,
    /// The `Upgrade` header it sent.
    upgrade: Option<HeaderValue>,
    drain: Option<Drain>,
}

// === impl Forwarder ===

impl Forwarder {
    /// A forwarder over `transport` that passes the client's `Host` header.
    pub fn new(transport: Transport) -> Forwarder {
        Forwarder {
            transport,
            pass_host_header: true,
        }
    }

    /// Whether to send the client's `Host` (true) or the backend's (false).
    pub fn pass_host_header(mut self, pass: bool) -> Forwarder {
        self.pass_host_header = pass;
        self
    }

    /// Forwards `request` to `target` and returns the backend's response.
    ///
    /// The request is prepared ([`Forwarder::prepare`]) when this is called, and
    /// sent ([`Forwarder::send`]) when the future is polled.
    pub fn forward<'a>(
        &'a self,
        request: HttpRequest,
        target: &'a Target,
    ) -> impl Future<Output = Result<HttpResponse, ProxyError>> + Send + 'a {
        let prepared = self.prepare(request, target);
        async move { self.send(prepared?, target).await }
    }

    /// Rewrites `request` for `target` (headers, URI, `Host`) and, for an
    /// `http://` target, encodes its head: all the work of forwarding that does not
    /// wait, done before the exchange starts.
    ///
    /// The [`Prepared`] request holds only what the exchange needs, so a future
    /// that sends it is much smaller than one that holds the request, and every
    /// request's future is moved a few times on its way to the connection's task.
    ///
    /// # Errors
    ///
    /// A request target or `Host` that cannot be sent to `target` (400).
    ///
    /// # Example
    ///
    /// ```
    /// use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
    ///
    /// let forwarder = Forwarder::new(Transport::new(&TransportSettings::default()).unwrap());
    /// let target = Target::parse("http://127.0.0.1:9001").unwrap();
    /// let request = http::Request::builder()
    ///     .uri("/api?q=1")
    ///     .header("host", "a.example")
    ///     .body(portico_core::Body::empty())
    ///     .unwrap();
    /// let prepared = forwarder.prepare(request, &target).unwrap();
    /// // The exchange starts when this future is first polled.
    /// let response = forwarder.send(prepared, &target);
    /// # drop(response);
    /// ```
    pub fn prepare(
        &self,
        mut request: HttpRequest,
        target: &Target,
    ) -> Result<Prepared, ProxyError> {
        let client_ip = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|c| c.peer_ip_value().clone());
        let is_h1_client = request.version() < Version::HTTP_2;
        let on_upgrade = if is_h1_client && request.headers().contains_key(UPGRADE) {
            request.extensions_mut().remove::<OnUpgrade>()
        } else {
            None
        };
        let drain = on_upgrade
            .as_ref()
            .and_then(|_| request.extensions().get::<Drain>().cloned());
        let upgrade = remove_hop_by_hop(request.headers_mut(), on_upgrade.is_some());
        // `Trailer` is hop-by-hop on requests (Go's ReverseProxy, hence Traefik, drops
        // it); on responses it is kept so hyper sends the trailers to HTTP/1.1 clients.
        request.headers_mut().remove(http::header::TRAILER);
        if let Some(ip) = client_ip {
            append_x_forwarded_for(request.headers_mut(), &ip);
        }
        self.set_host(&mut request, target)?;
        if target.protocol() == UpstreamProtocol::Http1 && on_upgrade.is_none() {
            *request.uri_mut() =
                target
                    .origin_uri(request.uri().path_and_query())
                    .map_err(|_| ProxyError::BadRequest {
                        reason: "request target cannot be forwarded",
                    })?;
            let outgoing = Outgoing::encode(request, target.authority());
            return Ok(Prepared(Route::Direct(outgoing)));
        }
        Ok(Prepared(Route::Client(Box::new(ClientExchange {
            request,
            on_upgrade,
            upgrade,
            drain,
        }))))
    }

    /// Sends a request prepared for `target` and returns the backend's response.
    pub fn send<'a>(
        &'a self,
        prepared: Prepared,
        target: &'a Target,
    ) -> impl Future<Output = Result<HttpResponse, ProxyError>> + Send + 'a {
        match prepared.0 {
            Route::Direct(outgoing) => Either::Left(self.exchange_direct(outgoing, target)),
            // Boxed: its state (hyper-util's client futures) would otherwise be part
            // of every request's future, and be copied with it, on the direct path too.
            Route::Client(exchange) => {
                Either::Right(Box::pin(self.forward_with_client(*exchange, target)))
            }
        }
    }

    /// An exchange on a hyper-util client: `https://` and `h2c://` backends, and
    /// protocol switches (WebSocket) on any backend.
    async fn forward_with_client(
        &self,
        exchange: ClientExchange,
        target: &Target,
    ) -> Result<HttpResponse, ProxyError> {
        let ClientExchange {
            mut request,
            on_upgrade,
            upgrade,
            drain,
        } = exchange;
        let authority = || target.authority().to_string();
        let clients =
            self.transport
                .clients(target.protocol(), target.authority(), on_upgrade.is_some());
        // A per-server client dials its server whatever the URI says: the URI then
        // carries the `Host` being sent, which HTTP/2 sends as `:authority`.
        let uri_host = if clients.dial_uri_host {
            None
        } else {
            request
                .headers()
                .get(HOST)
                .and_then(|h| Authority::try_from(h.as_bytes()).ok())
        };
        let uri = target
            .request_uri(uri_host, request.uri().path_and_query())
            .map_err(|_| ProxyError::BadRequest {
                reason: "request target cannot be forwarded",
            })?;
        *request.uri_mut() = uri;
        *request.version_mut() = match target.protocol() {
            UpstreamProtocol::H2c => Version::HTTP_2,
            UpstreamProtocol::Http1 | UpstreamProtocol::Https => Version::HTTP_11,
        };
        if target.protocol() == UpstreamProtocol::H2c {
            // HTTP/2 forbids connection-specific headers, `Upgrade` included.
            request.headers_mut().remove(UPGRADE);
            request.headers_mut().remove(http::header::CONNECTION);
        }

        let replay = if on_upgrade.is_some() {
            None
        } else {
            Replay::of(&request)
        };
        // Pinned here and awaited by reference: moved into the timeout's future,
        // it would take room twice in this function's state.
        let pending = pin!(async {
            let started = Instant::now();
            match (clients.pooled.request(request).await, replay) {
                (Err(error), Some(replay)) if is_stale_connection(&error, started) => {
                    debug!(
                        backend = %target.authority(),
                        %error,
                        "pooled connection closed by the backend, retrying on a fresh one"
                    );
                    clients.fresh.request(replay.into_request()).await
                }
                (result, _) => result,
            }
        });
        let result = self.within_response_header_timeout(pending, target).await?;
        let mut response = result.map_err(|e| classify(e, authority()))?;

        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            return match (on_upgrade, upgrade) {
                (Some(downstream), Some(_)) => {
                    let upstream = hyper::upgrade::on(&mut response);
                    upgrade::splice(downstream, upstream, target.authority().to_string(), drain);
                    Ok(response.map(|_| Body::empty()))
                }
                _ => Err(ProxyError::Upstream {
                    authority: authority(),
                    source: "backend switched protocols without being asked".into(),
                }),
            };
        }
        remove_hop_by_hop(response.headers_mut(), false);
        Ok(response.map(Body::new))
    }

    /// An `http://` exchange without protocol switch, on the transport's own
    /// HTTP/1.1 pool (see `transport/http1/`): a request the pooled connection
    /// never wrote goes out again on a fresh one, and so does an idempotent,
    /// bodiless one whose pooled connection closed before answering.
    async fn exchange_direct(
        &self,
        outgoing: Outgoing,
        target: &Target,
    ) -> Result<HttpResponse, ProxyError> {
        let authority = || target.authority().to_string();
        let server = target.pool_key();
        let pool = self.transport.direct();
        let pending = pin!(async {
            let first = pool.send(server, outgoing, false).await;
            // Only the request to send again lives across the second attempt.
            let again = match (first.result, first.again) {
                (Err(error), Some(again)) if first.reused => {
                    debug!(backend = %server, %error, "pooled connection closed by the backend, retrying on a fresh one");
                    again
                }
                (result, _) => return result,
            };
            pool.send(server, again, true).await.result
        });
        let result = self.within_response_header_timeout(pending, target).await?;
        let mut response = result.map_err(|e| classify_direct(e, authority()))?;
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            return Err(ProxyError::Upstream {
                authority: authority(),
                source: "backend switched protocols without being asked".into(),
            });
        }
        remove_hop_by_hop(response.headers_mut(), false);
        Ok(response)
    }

    /// Awaits `pending` (the exchange up to the response head) within
    /// `responseHeaderTimeout`, when one is set: past it, 504.
    async fn within_response_header_timeout<T>(
        &self,
        pending: impl Future<Output = T>,
        target: &Target,
    ) -> Result<T, ProxyError> {
        match self.transport.response_header_timeout() {
            Some(limit) => tokio::time::timeout(limit, pending).await.map_err(|_| {
                ProxyError::UpstreamTimeout {
                    authority: target.authority().to_string(),
                }
            }),
            None => Ok(pending.await),
        }
    }

    fn set_host(&self, request: &mut HttpRequest, target: &Target) -> Result<(), ProxyError> {
        if self.pass_host_header {
            if !request.headers().contains_key(HOST) {
                // HTTP/2 clients send `:authority` instead of `Host`.
                if let Some(authority) = request.uri().authority() {
                    let value = HeaderValue::from_str(authority.as_str()).map_err(|_| {
                        ProxyError::BadRequest {
                            reason: "invalid authority",
                        }
                    })?;
                    request.headers_mut().insert(HOST, value);
                }
            }
        } else {
            let value = HeaderValue::from_str(target.authority().as_str()).map_err(|_| {
                ProxyError::BadRequest {
                    reason: "invalid backend authority",
                }
            })?;
            request.headers_mut().insert(HOST, value);
        }
        Ok(())
    }
}

/// Sorts a failure of the HTTP/1.1 pool into connect (502), timeout (504),
/// client gone (499: its request body failed) or exchange (502).
fn classify_direct(error: Http1Error, authority: String) -> ProxyError {
    let timed_out = timed_out(&error);
    match error {
        Http1Error::RequestBody(_) => ProxyError::ClientClosed,
        _ if timed_out => ProxyError::UpstreamTimeout { authority },
        Http1Error::Connect(_) => ProxyError::UpstreamConnect {
            authority,
            source: Box::new(error),
        },
        _ => ProxyError::Upstream {
            authority,
            source: Box::new(error),
        },
    }
}

/// Sorts a client failure into connect (502), timeout (504) or exchange (502).
fn classify(error: hyper_util::client::legacy::Error, authority: String) -> ProxyError {
    let timed_out = timed_out(&error);
    if timed_out {
        ProxyError::UpstreamTimeout { authority }
    } else if error.is_connect() {
        ProxyError::UpstreamConnect {
            authority,
            source: Box::new(error),
        }
    } else {
        ProxyError::Upstream {
            authority,
            source: Box::new(error),
        }
    }
}

/// Whether `error` or one of its causes is an I/O timeout.
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test panics on the unexpected

    use super::*;
    use crate::TransportSettings;

    /// Every request's future is moved (copied) a few times on its way into the
    /// connection's task, and a load balancer boxes it: past 1 KiB, glibc serves
    /// that box outside its thread cache. The rare paths (hyper-util clients,
    /// dialing) are boxed and the request is prepared before the future starts,
    /// so the future holds neither. 3,488 bytes with both, 2,032 with the request;
    /// 968 and 800 now in a debug build.
    #[test]
    fn the_forward_future_holds_neither_the_request_nor_rare_paths() {
        let forwarder = Forwarder::new(Transport::new(&TransportSettings::default()).unwrap());
        let target = Target::parse("http://127.0.0.1:1").unwrap();
        let future = forwarder.forward(HttpRequest::new(Body::empty()), &target);
        let size = std::mem::size_of_val(&future);
        assert!(size < 1_024, "forward future is {size} bytes");
        let prepared = forwarder
            .prepare(HttpRequest::new(Body::empty()), &target)
            .unwrap();
        let future = forwarder.send(prepared, &target);
        let size = std::mem::size_of_val(&future);
        assert!(size < 900, "send future is {size} bytes");
    }
}
