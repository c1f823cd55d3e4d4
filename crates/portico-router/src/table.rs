//! An immutable route table for one entrypoint.

use std::sync::Arc;

use portico_core::BoxHttpService;
use portico_rules::{RequestView, RouteSet, Rule};

/// One route: a router's name and the service its requests go to.
#[derive(Clone, Debug)]
pub struct Route {
    name: Arc<str>,
    service: BoxHttpService,
}

/// The routes of one entrypoint, ordered by priority (highest first; equal
/// priorities keep insertion order) and indexed by host.
#[derive(Debug)]
pub struct RouteTable {
    routes: RouteSet<Route>,
}

/// Builds a [`RouteTable`].
#[derive(Debug)]
pub struct RouteTableBuilder {
    routes: portico_rules::RouteSetBuilder<Route>,
}

// === impl Route ===

impl Route {
    /// The router's name (`name@provider`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service requests matching this route go to.
    pub fn service(&self) -> &BoxHttpService {
        &self.service
    }
}

// === impl RouteTable ===

impl RouteTable {
    /// Starts an empty table.
    pub fn builder() -> RouteTableBuilder {
        RouteTableBuilder {
            routes: RouteSet::builder(),
        }
    }

    /// A table without routes: every request gets `404`.
    pub fn empty() -> RouteTable {
        RouteTable::builder().build()
    }

    /// The first route, in priority order, whose rule matches.
    pub fn find(&self, request: &RequestView<'_>) -> Option<&Route> {
        self.routes.find(request)
    }

    /// How many routes the table has.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether the table has no route.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The routes in priority order, with their rules and priorities.
    pub fn iter(&self) -> impl Iterator<Item = (&Rule, i64, &Route)> {
        self.routes.iter()
    }
}

// === impl RouteTableBuilder ===

impl RouteTableBuilder {
    /// Adds a route; `priority` defaults to the rule's length (Traefik).
    pub fn route(
        &mut self,
        name: &str,
        rule: Rule,
        priority: Option<i64>,
        service: BoxHttpService,
    ) -> &mut Self {
        let priority = priority.unwrap_or_else(|| rule.default_priority());
        self.routes.push(
            rule,
            priority,
            Route {
                name: Arc::from(name),
                service,
            },
        );
        self
    }

    /// Freezes the table.
    pub fn build(self) -> RouteTable {
        RouteTable {
            routes: self.routes.build(),
        }
    }
}
