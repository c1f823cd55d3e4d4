//! Traefik's `weighted` service: smooth weighted round robin over child services.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderMap, HeaderValue, header::SET_COOKIE};
use portico_core::{BoxHttpService, HttpRequest, HttpResponse, ProxyError};
use tower::{Service, ServiceExt};

use crate::{ServiceHealth, StickyCookie, balancer::Wrr, sticky_value};

type BoxFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

/// One child of a [`Weighted`] or [`crate::HighestRandomWeight`] service: a
/// service built by the router (a load balancer or another composite), its
/// name (for sticky cookies and hashing), weight and health.
#[derive(Clone, Debug)]
pub struct WeightedChild {
    pub(crate) name: Arc<str>,
    pub(crate) weight: u32,
    pub(crate) service: BoxHttpService,
    pub(crate) health: ServiceHealth,
}

/// Traefik's `weighted` service.
///
/// - Picks follow [`crate::balancer::Wrr`]: every cycle of `sum(weights)` picks
///   is an exact, interleaved split; the scan starts at a random child, so the
///   first request after a reload does not always go to the first child.
/// - Children with weight 0 are never picked (Traefik ignores them).
/// - With `health_check` on, a child whose [`ServiceHealth`] is down is skipped
///   and the service is up while any child is; with it off, every child is picked
///   whatever its health, and the service reports itself always up.
/// - With a [`StickyCookie`], the first answer carries a cookie whose value is
///   [`sticky_value`] of the chosen child's name; later requests carrying it go
///   to that child while it can take requests (else a new child is picked and
///   the cookie rewritten). A cookie holding the raw child name (Traefik's older
///   format) is honoured and rewritten, as Traefik does.
/// - No pickable child: `503 no available server`.
///
/// # Example
///
/// ```
/// use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
/// use portico_service::{ServiceHealth, StickyCookie, Weighted, WeightedChild};
/// use std::convert::Infallible;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let child = |name: &'static str| {
///     box_http_service(tower::service_fn(move |_req: HttpRequest| async move {
///         Ok::<_, Infallible>(HttpResponse::new(Body::from(name)))
///     }))
/// };
/// let weighted = Weighted::new(vec![
///     WeightedChild::new("v1", 3, child("v1"), ServiceHealth::always_up()),
///     WeightedChild::new("v2", 1, child("v2"), ServiceHealth::always_up()),
/// ])
/// .sticky(Some(StickyCookie::new("lb")));
/// let response = weighted.oneshot(HttpRequest::new(Body::empty())).await.unwrap();
/// assert!(response.headers().contains_key("set-cookie"));
/// # }
/// ```
///
/// Cloning is cheap; clones share the round-robin state.
#[derive(Clone, Debug)]
pub struct Weighted {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    /// Children with a positive weight, in configuration order.
    children: Arc<[WeightedChild]>,
    wrr: Arc<Wrr>,
    sticky: Option<Arc<Sticky>>,
    health_check: bool,
}

/// The sticky cookie and, per child, the value that pins to it.
#[derive(Debug)]
struct Sticky {
    /// `Set-Cookie` per child (`None` if the cookie cannot be a header value).
    set_cookies: Box<[Option<HeaderValue>]>,
    /// Cookie value -> (child, whether the value is an old format to rewrite).
    lookup: HashMap<Box<str>, (usize, bool)>,
    cookie: StickyCookie,
}

// === impl WeightedChild ===

impl WeightedChild {
    /// A child called `name` with `weight` (0: never picked).
    pub fn new(
        name: impl Into<Arc<str>>,
        weight: u32,
        service: BoxHttpService,
        health: ServiceHealth,
    ) -> WeightedChild {
        WeightedChild {
            name: name.into(),
            weight,
            service,
            health,
        }
    }

    /// The child's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

// === impl Weighted ===

impl Weighted {
    /// A weighted service over `children`, without sticky cookie or health
    /// propagation.
    pub fn new(children: Vec<WeightedChild>) -> Weighted {
        let children: Arc<[WeightedChild]> =
            children.into_iter().filter(|c| c.weight > 0).collect();
        let weights: Vec<u32> = children.iter().map(|c| c.weight).collect();
        Weighted {
            inner: Arc::new(Inner {
                wrr: Arc::new(Wrr::new(&weights)),
                children,
                sticky: None,
                health_check: false,
            }),
        }
    }

    /// Pins clients to a child with this cookie (`sticky.cookie`).
    pub fn sticky(mut self, cookie: Option<StickyCookie>) -> Weighted {
        let inner = Arc::make_mut(&mut self.inner);
        inner.sticky = cookie.map(|cookie| Arc::new(Sticky::new(cookie, &inner.children)));
        self
    }

    /// Whether children's health is followed (`healthCheck: {}`).
    pub fn health_check(mut self, on: bool) -> Weighted {
        Arc::make_mut(&mut self.inner).health_check = on;
        self
    }

    /// The service's health: any child up with `health_check`, else always up.
    pub fn health(&self) -> ServiceHealth {
        if self.inner.health_check {
            ServiceHealth::any_of(
                self.inner
                    .children
                    .iter()
                    .map(|c| c.health.clone())
                    .collect(),
            )
        } else {
            ServiceHealth::always_up()
        }
    }
}

impl Service<HttpRequest> for Weighted {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> BoxFuture {
        let Some((index, set_cookie)) = self.inner.pick(request.headers()) else {
            return Box::pin(async { Ok(ProxyError::NoAvailableServer.into_response()) });
        };
        let child = &self.inner.children[index];
        tracing::trace!(service = %child.name, "weighted pick");
        let pending = child.service.clone().oneshot(request);
        Box::pin(async move {
            let mut response = pending.await?;
            if let Some(value) = set_cookie {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response)
        })
    }
}

// === impl Inner ===

impl Inner {
    fn usable(&self, index: usize) -> bool {
        !self.health_check || self.children[index].health.is_up()
    }

    /// The child for this request and the `Set-Cookie` to add, if any.
    fn pick(&self, headers: &HeaderMap) -> Option<(usize, Option<HeaderValue>)> {
        if let Some(sticky) = &self.sticky
            && let Some((index, rewrite)) = sticky.pinned(headers)
            && self.usable(index)
        {
            return Some((index, rewrite.then(|| sticky.set_cookie(index)).flatten()));
        }
        let index = self.wrr.next_among(|i| self.usable(i))?;
        let set_cookie = self.sticky.as_ref().and_then(|s| s.set_cookie(index));
        Some((index, set_cookie))
    }
}

// === impl Sticky ===

impl Sticky {
    fn new(cookie: StickyCookie, children: &[WeightedChild]) -> Sticky {
        // Raw names first, so a current value wins over an equal old one.
        let mut lookup: HashMap<Box<str>, (usize, bool)> = children
            .iter()
            .enumerate()
            .map(|(index, child)| (Box::from(&*child.name), (index, true)))
            .collect();
        let mut set_cookies = Vec::with_capacity(children.len());
        for (index, child) in children.iter().enumerate() {
            let value = sticky_value(&child.name);
            set_cookies.push(cookie.set_cookie(&value));
            lookup.insert(value.into_boxed_str(), (index, false));
        }
        Sticky {
            set_cookies: set_cookies.into(),
            lookup,
            cookie,
        }
    }

    fn pinned(&self, headers: &HeaderMap) -> Option<(usize, bool)> {
        let value = self.cookie.pinned(headers)?;
        self.lookup.get(value).copied()
    }

    fn set_cookie(&self, index: usize) -> Option<HeaderValue> {
        self.set_cookies.get(index).cloned().flatten()
    }
}
