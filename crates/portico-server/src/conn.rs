//! The per-connection service: turns hyper's requests into Portico's, carries the
//! connection facts, and keeps the connection's [`ConnState`] up to date.

use std::{
    convert::Infallible,
    future::{Future, Ready, ready},
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use futures_util::future::Either;
use http::{Request, Response, StatusCode, Version, header::HOST};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::{body::Incoming, upgrade::OnUpgrade};
use pin_project_lite::pin_project;
use portico_core::{Body, ConnectionInfo, Drain, HttpRequest, HttpResponse, TlsInfo, respond};
use portico_tls::{TlsAcceptor, TlsRegistry, misdirected};
use tokio::net::TcpStream;
use tower::Service;

use crate::{
    h2c,
    stream::ConnStream,
    watchdog::{ConnState, Limits, WatchdogIo},
};

/// Makes one [`ConnService`] per accepted connection (axum-server's make-service).
#[derive(Clone, Debug)]
pub(crate) struct MakeConn<S> {
    pub(crate) stack: S,
    /// The stack for TLS connections, when the entrypoint terminates TLS.
    pub(crate) https: Option<S>,
    pub(crate) registry: Option<Arc<TlsRegistry>>,
    pub(crate) entrypoint: Arc<str>,
    pub(crate) local: SocketAddr,
    pub(crate) drain: Drain,
    /// A request-head limit smaller than hyper's smallest read buffer, checked here.
    pub(crate) max_head_bytes: Option<usize>,
}

/// The service hyper calls for each request of one connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnService<S> {
    stack: S,
    https: Option<S>,
    registry: Option<Arc<TlsRegistry>>,
    tls: Option<Arc<TlsInfo>>,
    info: ConnectionInfo,
    state: Option<Arc<ConnState>>,
    drain: Drain,
    max_head_bytes: Option<usize>,
}

/// Wraps accepted streams in a [`WatchdogIo`] and ties them to their service; on a
/// TLS-capable entrypoint, a connection whose first byte starts a TLS record is
/// handshaken and served by the HTTPS stack, any other by the plain one.
#[derive(Clone, Debug)]
pub(crate) struct ConnAcceptor {
    pub(crate) limits: Limits,
    pub(crate) tls: Option<TlsAcceptor>,
}

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

// === impl MakeConn ===

impl<S: Clone> Service<SocketAddr> for MakeConn<S> {
    type Response = ConnService<S>;
    type Error = Infallible;
    type Future = Ready<Result<ConnService<S>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, peer: SocketAddr) -> Self::Future {
        ready(Ok(ConnService {
            stack: self.stack.clone(),
            https: self.https.clone(),
            registry: self.registry.clone(),
            tls: None,
            info: ConnectionInfo::new(peer, self.local, self.entrypoint.clone(), false),
            state: None,
            drain: self.drain.clone(),
            max_head_bytes: self.max_head_bytes,
        }))
    }
}

// === impl ConnAcceptor ===

impl<S: Send + 'static> axum_server::accept::Accept<TcpStream, ConnService<S>> for ConnAcceptor {
    type Stream = ConnStream;
    type Service = ConnService<S>;
    type Future = Either<
        Ready<io::Result<(ConnStream, ConnService<S>)>>,
        Pin<Box<dyn Future<Output = io::Result<(ConnStream, ConnService<S>)>> + Send>>,
    >;

    fn accept(&self, stream: TcpStream, mut service: ConnService<S>) -> Self::Future {
        // Failing to set TCP_NODELAY only costs latency; keep the connection.
        let _ = stream.set_nodelay(true);
        let state = ConnState::new();
        service.state = Some(state.clone());
        let limits = self.limits;
        let Some(tls) = self.tls.clone() else {
            let io = WatchdogIo::new(stream, state, limits);
            return Either::Left(ready(Ok((ConnStream::Plain(io), service))));
        };
        Either::Right(Box::pin(async move {
            // Which protocol: wait for the first byte, bounded like a request head.
            let wait = limits
                .read
                .or(limits.idle)
                .unwrap_or(Duration::from_secs(60));
            let mut first = [0u8; 1];
            let n = tokio::time::timeout(wait, stream.peek(&mut first))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no first byte"))??;
            let io = WatchdogIo::new(stream, state, limits);
            if n == 1 && first[0] == TLS_HANDSHAKE {
                let (stream, info) = tls.handshake(io).await?;
                service.info.tls = true;
                service.tls = Some(Arc::new(info));
                Ok((ConnStream::Tls(Box::new(stream)), service))
            } else {
                Ok((ConnStream::Plain(io), service))
            }
        }))
    }
}

// === impl ConnService ===

impl<S> Service<Request<Incoming>> for ConnService<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = ConnFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match (&self.tls, &mut self.https) {
            (Some(_), Some(https)) => https.poll_ready(cx),
            _ => self.stack.poll_ready(cx),
        }
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let body_open = !request.body().is_end_stream();
        if let Some(state) = &self.state {
            state.request_started(body_open);
        }
        let guard = InFlight(self.state.clone());

        if let Some(status) = self.malformed(&request) {
            return ConnFuture::ready(respond::status(status), guard);
        }
        if let Some(tls) = &self.tls
            && self.misdirected(tls, &request)
        {
            return ConnFuture::ready(respond::status(StatusCode::MISDIRECTED_REQUEST), guard);
        }
        if self.tls.is_none() && h2c::is_upgrade_request(&request) && !body_open {
            return match h2c::upgrade(request, self.clone(), &self.drain) {
                Ok(response) => ConnFuture::ready(response, guard),
                Err(request) => self.forward(*request, false, guard),
            };
        }
        self.forward(request, body_open, guard)
    }
}

impl<S> ConnService<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Infallible>,
{
    /// Whether the `Host` of a request on a TLS connection selects other TLS options
    /// than the SNI did (domain fronting): answered `421`, never served under the
    /// weaker options.
    fn misdirected(&self, tls: &TlsInfo, request: &Request<Incoming>) -> bool {
        let Some(registry) = &self.registry else {
            return false;
        };
        let host = request
            .uri()
            .authority()
            .map(|a| a.as_str())
            .or_else(|| request.headers().get(HOST).and_then(|h| h.to_str().ok()));
        match host {
            Some(host) => misdirected(&registry.load(), tls.sni.as_deref(), host),
            None => false,
        }
    }

    /// What hyper lets through but HTTP/1.1 (and Go, hence Traefik) refuses: a
    /// missing or repeated `Host` is `400`; a head over a limit smaller than hyper's
    /// read buffer is `431`.
    fn malformed(&self, request: &Request<Incoming>) -> Option<StatusCode> {
        let mut hosts = request.headers().get_all(HOST).iter();
        let (first, second) = (hosts.next(), hosts.next());
        if second.is_some() {
            return Some(StatusCode::BAD_REQUEST);
        }
        if first.is_none()
            && request.version() == Version::HTTP_11
            && request.uri().authority().is_none()
        {
            return Some(StatusCode::BAD_REQUEST);
        }
        if let Some(limit) = self.max_head_bytes {
            let head = request.method().as_str().len()
                + request
                    .uri()
                    .path_and_query()
                    .map_or(1, |pq| pq.as_str().len())
                + 12
                + request
                    .headers()
                    .iter()
                    .map(|(n, v)| n.as_str().len() + v.len() + 4)
                    .sum::<usize>();
            if head > limit {
                return Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
        }
        None
    }

    fn forward(
        &mut self,
        request: Request<Incoming>,
        body_open: bool,
        guard: InFlight,
    ) -> ConnFuture<S::Future> {
        let body_guard = if body_open {
            self.state.clone().map(BodyGuard)
        } else {
            None
        };
        let mut request = request.map(|inner| {
            if body_open {
                Body::new(RequestBody {
                    inner,
                    guard: body_guard,
                })
            } else {
                // A zero-sized body: no allocation, and hyper's end-of-stream is kept.
                Body::empty()
            }
        });
        request.extensions_mut().insert(self.info.clone());
        // Only an upgraded connection outlives its request and needs the drain to
        // track it; hyper marks exactly those requests with `OnUpgrade`. Leaving the
        // drain off the others keeps the extension map at its first allocation.
        if request.extensions().get::<OnUpgrade>().is_some() {
            request.extensions_mut().insert(self.drain.clone());
        }
        let stack = match (&self.tls, &mut self.https) {
            (Some(tls), Some(https)) => {
                request.extensions_mut().insert(tls.clone());
                https
            }
            _ => &mut self.stack,
        };
        ConnFuture {
            kind: Kind::Stack {
                future: stack.call(request),
            },
            guard: Some(guard),
        }
    }
}

/// Marks a request in flight until its response body is done or abandoned.
#[derive(Debug)]
pub(crate) struct InFlight(Option<Arc<ConnState>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(state) = &self.0 {
            state.response_finished();
        }
    }
}

/// Marks a request body open until it ends or is dropped.
#[derive(Debug)]
struct BodyGuard(Arc<ConnState>);

impl Drop for BodyGuard {
    fn drop(&mut self) {
        self.0.body_finished();
    }
}

pin_project! {
    /// The response future of [`ConnService`].
    pub(crate) struct ConnFuture<F> {
        #[pin]
        kind: Kind<F>,
        guard: Option<InFlight>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Stack { #[pin] future: F },
        Ready { response: Option<HttpResponse> },
    }
}

impl<F> ConnFuture<F> {
    fn ready(response: HttpResponse, guard: InFlight) -> Self {
        ConnFuture {
            kind: Kind::Ready {
                response: Some(response),
            },
            guard: Some(guard),
        }
    }
}

impl<F> Future for ConnFuture<F>
where
    F: Future<Output = Result<HttpResponse, Infallible>>,
{
    type Output = Result<Response<ResponseBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.kind.project() {
            KindProj::Stack { future } => match future.poll(cx) {
                Poll::Ready(Ok(response)) => response,
                Poll::Ready(Err(never)) => match never {},
                Poll::Pending => return Poll::Pending,
            },
            KindProj::Ready { response } => match response.take() {
                Some(response) => response,
                None => return Poll::Pending,
            },
        };
        let guard = this.guard.take();
        if response.status() == StatusCode::SWITCHING_PROTOCOLS
            && !h2c::is_h2c_switch(&response)
            && let Some(InFlight(Some(state))) = &guard
        {
            state.upgraded();
        }
        Poll::Ready(Ok(response.map(|inner| ResponseBody {
            inner,
            _guard: guard,
        })))
    }
}

pin_project! {
    /// A request body that tells the connection when it has been read.
    struct RequestBody {
        #[pin]
        inner: Incoming,
        guard: Option<BodyGuard>,
    }
}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.project();
        let frame = this.inner.poll_frame(cx);
        if matches!(frame, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            this.guard.take();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    /// A response body that tells the connection when it has been written.
    pub(crate) struct ResponseBody {
        #[pin]
        inner: Body,
        _guard: Option<InFlight>,
    }
}

impl HttpBody for ResponseBody {
    type Data = Bytes;
    type Error = axum_core_error::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The error type of [`Body`].
mod axum_core_error {
    pub(crate) type Error = <portico_core::Body as http_body::Body>::Error;
}
