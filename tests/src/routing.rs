//! Routing files built from typed routers and services, serialized as YAML.
//!
//! Serializing (instead of formatting strings) keeps any rule text, including
//! backticks, quotes and newlines, exactly as written.
//!
//! # Example
//!
//! ```
//! use portico_e2e::routing::{Routing, Router};
//!
//! let yaml = Routing::new()
//!     .router("api", Router::new("PathPrefix(`/api`)", "api").priority(10))
//!     .service("api", ["http://127.0.0.1:9000"])
//!     .yaml();
//! assert!(yaml.contains("priority: 10"));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

/// A routing file: HTTP routers and services.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Routing {
    http: Http,
}

#[derive(Clone, Debug, Default, Serialize)]
struct Http {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    routers: BTreeMap<String, Router>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    services: BTreeMap<String, Service>,
}

/// One router (`http.routers.<name>`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Router {
    rule: String,
    service: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_points: Option<Vec<String>>,
}

/// One service (`http.services.<name>`), always a `loadBalancer`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    load_balancer: LoadBalancer,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadBalancer {
    servers: Vec<Server>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pass_host_header: Option<bool>,
}

#[derive(Clone, Debug, Serialize)]
struct Server {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    weight: Option<u32>,
}

// === impl Routing ===

impl Routing {
    /// An empty routing file.
    pub fn new() -> Routing {
        Routing::default()
    }

    /// Adds router `name`.
    pub fn router(mut self, name: &str, router: Router) -> Routing {
        self.http.routers.insert(name.to_owned(), router);
        self
    }

    /// Adds a load-balancer service `name` over `urls`, each with the default weight.
    pub fn service<I, S>(self, name: &str, urls: I) -> Routing
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.service_spec(name, Service::new(urls))
    }

    /// Adds service `name` as given.
    pub fn service_spec(mut self, name: &str, service: Service) -> Routing {
        self.http.services.insert(name.to_owned(), service);
        self
    }

    /// The file as YAML.
    pub fn yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a routing file always serializes")
    }
}

// === impl Router ===

impl Router {
    /// A router for `rule` sending to `service`, with default priority and entrypoints.
    pub fn new(rule: &str, service: &str) -> Router {
        Router {
            rule: rule.to_owned(),
            service: service.to_owned(),
            priority: None,
            entry_points: None,
        }
    }

    /// Sets `priority`.
    pub fn priority(mut self, priority: i64) -> Router {
        self.priority = Some(priority);
        self
    }

    /// Sets `entryPoints`.
    pub fn entry_points(mut self, names: &[&str]) -> Router {
        self.entry_points = Some(names.iter().map(|n| (*n).to_owned()).collect());
        self
    }
}

// === impl Service ===

impl Service {
    /// A load balancer over `urls`, each with the default weight.
    pub fn new<I, S>(urls: I) -> Service
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Service {
            load_balancer: LoadBalancer {
                servers: urls
                    .into_iter()
                    .map(|url| Server {
                        url: url.into(),
                        weight: None,
                    })
                    .collect(),
                pass_host_header: None,
            },
        }
    }

    /// A load balancer over `(url, weight)` pairs.
    pub fn weighted<I, S>(servers: I) -> Service
    where
        I: IntoIterator<Item = (S, u32)>,
        S: Into<String>,
    {
        Service {
            load_balancer: LoadBalancer {
                servers: servers
                    .into_iter()
                    .map(|(url, weight)| Server {
                        url: url.into(),
                        weight: Some(weight),
                    })
                    .collect(),
                pass_host_header: None,
            },
        }
    }

    /// Sets `passHostHeader`.
    pub fn pass_host_header(mut self, pass: bool) -> Service {
        self.load_balancer.pass_host_header = Some(pass);
        self
    }
}
