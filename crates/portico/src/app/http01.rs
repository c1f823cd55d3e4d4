//! Answering ACME HTTP-01 challenges ahead of the routers of an entrypoint.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use futures_util::future::{Either, Ready, ready};
use http::{StatusCode, header::CONTENT_TYPE};
use portico_acme::challenge::http01::Http01Tokens;
use portico_core::{Body, HttpRequest, HttpResponse};
use portico_router::Unrouted;
use tower::Service;

/// The path prefix of HTTP-01 challenges (RFC 8555, section 8.3).
const PREFIX: &str = "/.well-known/acme-challenge/";

/// An entrypoint's router, preceded (on a challenge entrypoint) by the HTTP-01
/// responder: `GET /.well-known/acme-challenge/<token>` gets the key authorization of
/// a pending order, or 404; every other request goes to the router. With
/// `allowACMEByPass` the routers go first and the responder answers only what no
/// router matched.
#[derive(Clone, Debug)]
pub(crate) struct Http01Router<R> {
    inner: R,
    tokens: Option<Http01Tokens>,
    bypass: bool,
}

type BoxResponseFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

impl<R> Http01Router<R> {
    pub(crate) fn new(inner: R, tokens: Option<Http01Tokens>, bypass: bool) -> Self {
        Http01Router {
            inner,
            tokens,
            bypass,
        }
    }
}

impl<R> Service<HttpRequest> for Http01Router<R>
where
    R: Service<HttpRequest, Response = HttpResponse, Error = Infallible>,
    R::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future =
        Either<Ready<Result<HttpResponse, Infallible>>, Either<R::Future, BoxResponseFuture>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        if let Some(tokens) = &self.tokens
            && let Some(token) = request.uri().path().strip_prefix(PREFIX)
        {
            if !self.bypass {
                return Either::Left(ready(Ok(answer(tokens.get(token)))));
            }
            let key_authorization = tokens.get(token);
            let routed = self.inner.call(request);
            return Either::Right(Either::Right(Box::pin(async move {
                let response = routed.await?;
                if response.extensions().get::<Unrouted>().is_some() {
                    Ok(answer(key_authorization))
                } else {
                    Ok(response)
                }
            })));
        }
        Either::Right(Either::Left(self.inner.call(request)))
    }
}

fn answer(key_authorization: Option<String>) -> HttpResponse {
    let (status, body) = match key_authorization {
        Some(value) => (StatusCode::OK, value),
        None => (StatusCode::NOT_FOUND, "404 page not found\n".to_owned()),
    };
    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
