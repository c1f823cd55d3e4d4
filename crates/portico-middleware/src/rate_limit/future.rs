//! The rate limiter's response future: served now, after a wait, or rejected.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
    time::Duration,
};

use http::Response;
use pin_project_lite::pin_project;
use tokio::time::{Sleep, sleep};
use tower::Service;

pin_project! {
    /// The response future of [`RateLimit`](super::RateLimit).
    pub struct RateLimitFuture<S, Req, B>
    where
        S: Service<Req>,
    {
        #[pin]
        state: State<S, Req, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, Req, B>
    where
        S: Service<Req>,
    {
        Inner { #[pin] future: S::Future },
        Waiting { #[pin] sleep: Sleep, service: Option<S>, request: Option<Req> },
        Rejected { response: Option<Response<B>> },
    }
}

impl<S, Req, B> std::fmt::Debug for RateLimitFuture<S, Req, B>
where
    S: Service<Req>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitFuture").finish_non_exhaustive()
    }
}

impl<S, Req, B> RateLimitFuture<S, Req, B>
where
    S: Service<Req>,
{
    pub(super) fn inner(future: S::Future) -> Self {
        RateLimitFuture {
            state: State::Inner { future },
        }
    }

    pub(super) fn delayed(wait: Duration, service: S, request: Req) -> Self {
        RateLimitFuture {
            state: State::Waiting {
                sleep: sleep(wait),
                service: Some(service),
                request: Some(request),
            },
        }
    }

    pub(super) fn rejected(response: Response<B>) -> Self {
        RateLimitFuture {
            state: State::Rejected {
                response: Some(response),
            },
        }
    }
}

impl<S, Req, B> Future for RateLimitFuture<S, Req, B>
where
    S: Service<Req, Response = Response<B>>,
{
    type Output = Result<Response<B>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Inner { future } => return future.poll(cx),
                StateProj::Rejected { response } => {
                    return match response.take() {
                        Some(response) => Poll::Ready(Ok(response)),
                        None => Poll::Pending,
                    };
                }
                StateProj::Waiting {
                    sleep,
                    service,
                    request,
                } => {
                    ready!(sleep.poll(cx));
                    let Some(svc) = service.as_mut() else {
                        return Poll::Pending;
                    };
                    ready!(svc.poll_ready(cx))?;
                    let (Some(mut svc), Some(req)) = (service.take(), request.take()) else {
                        return Poll::Pending;
                    };
                    let future = svc.call(req);
                    this.state.set(State::Inner { future });
                }
            }
        }
    }
}
