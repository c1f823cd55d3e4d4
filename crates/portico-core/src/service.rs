//! The body type and the type-erased HTTP service used at the dynamic boundary.

use std::convert::Infallible;

use tower::{Service, util::BoxCloneSyncService};

/// The body of every request and response inside Portico (a boxed, streaming body).
pub type Body = axum_core::body::Body;

/// A request as it travels through Portico's stack.
pub type HttpRequest = http::Request<Body>;

/// A response as it travels through Portico's stack.
pub type HttpResponse = http::Response<Body>;

/// A routers' or services' erased service: cloneable, shareable across threads and
/// infallible (failures are already responses by the time they leave it).
pub type BoxHttpService = BoxCloneSyncService<HttpRequest, HttpResponse, Infallible>;

/// Erases a service into a [`BoxHttpService`].
///
/// # Example
///
/// ```
/// use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
/// use std::convert::Infallible;
///
/// let svc = box_http_service(tower::service_fn(|_req: HttpRequest| async {
///     Ok::<_, Infallible>(HttpResponse::new(Body::from("hi")))
/// }));
/// # let _ = svc;
/// ```
pub fn box_http_service<S>(service: S) -> BoxHttpService
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service)
}
