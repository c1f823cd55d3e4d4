//! A response body that keeps its request counted as in flight until it ends.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use http_body::{Frame, SizeHint};
use portico_core::Body;

use super::pool::InFlight;

/// Wraps a response body; the request stops counting as in flight (for
/// [`crate::balancer::P2c`]) when the body is dropped, so streamed answers count
/// for as long as they stream.
#[derive(Debug)]
pub(crate) struct InFlightBody {
    body: Body,
    _guard: InFlight,
}

// === impl InFlightBody ===

impl InFlightBody {
    pub(crate) fn new(body: Body, guard: InFlight) -> InFlightBody {
        InFlightBody {
            body,
            _guard: guard,
        }
    }
}

impl http_body::Body for InFlightBody {
    type Data = <Body as http_body::Body>::Data;
    type Error = <Body as http_body::Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
