//! Routing: from validated configuration to the service that answers each request.
//!
//! - [`RouteTable`]: an immutable, priority-ordered set of routes (rule + service)
//!   for one entrypoint, indexed by host so lookup cost stays flat with thousands of
//!   routers.
//! - [`Router`]: the tower service an entrypoint calls. It holds the current table
//!   behind one atomic pointer; [`Router::publish`] swaps in a new table, and a request
//!   finishes on the table it started with.
//! - [`Compiler`]: the control-plane step that turns a
//!   [`RoutingModel`](portico_config::model::RoutingModel) into one table per
//!   entrypoint plus a [`RuntimeStatus`] saying which routers are enabled and why the
//!   others are not. Services whose definition did not change are reused, so their
//!   balancer state and connection pools survive reloads.
//!
//! # Example
//!
//! ```
//! use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
//! use portico_router::{RouteTable, Router};
//! use portico_rules::{Rule, Syntax};
//! use std::convert::Infallible;
//!
//! let hello = box_http_service(tower::service_fn(|_req: HttpRequest| async {
//!     Ok::<_, Infallible>(HttpResponse::new(Body::from("hello")))
//! }));
//! let rule = Rule::parse("Host(`example.com`) && PathPrefix(`/api`)", Syntax::V3);
//! # let Ok(rule) = rule else { return };
//! let mut table = RouteTable::builder();
//! table.route("api@file", rule, None, hello);
//! let router = Router::new(table.build());
//! // `router` is a `tower::Service<HttpRequest>`: serve it from an entrypoint.
//! # let _ = router;
//! ```

mod compile;
mod middleware;
mod router;
mod status;
mod table;

pub use self::{
    compile::{Compiled, Compiler, EntryPointSet},
    middleware::{BuildContext, HttpLayer},
    router::{ResponseFuture, Router, Unrouted},
    status::{MiddlewareStatus, RouterStatus, RuntimeStatus, ServiceStatus},
    table::{Route, RouteTable, RouteTableBuilder},
};
