//! Traefik's `traefik.ingress.kubernetes.io/` annotations
//! (`pkg/provider/kubernetes/ingress/annotations.go`): router settings read from
//! an Ingress, load-balancer settings read from the Services it names.
//!
//! Traefik decodes them with its label decoder: keys are matched without regard
//! to case, a key under `router.` or `service.` that names no setting is an
//! error, and keys outside those two trees are ignored.

use std::collections::BTreeMap;

use portico_config::raw::{
    Domain, Observability,
    routing::{Cookie, RouterTls, Sticky},
};

/// The prefix of Traefik's Ingress annotations.
pub(super) const PREFIX: &str = "traefik.ingress.kubernetes.io/";

/// The path matchers `router.pathmatcher` may name.
const PATH_MATCHERS: [&str; 3] = ["Path", "PathPrefix", "PathRegexp"];

/// Why an annotation cannot be used; the key is shown without the prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum AnnotationError {
    /// Not `true` or `false` (Go's `strconv.ParseBool` forms).
    #[error("annotation {key}: {value:?} is not a boolean")]
    NotBool { key: String, value: String },
    /// Not a decimal integer.
    #[error("annotation {key}: {value:?} is not an integer")]
    NotInteger { key: String, value: String },
    /// `router.pathmatcher` names something other than a path matcher.
    #[error("annotation {key}: {value:?} is not one of Path, PathPrefix, PathRegexp")]
    PathMatcher { key: String, value: String },
    /// A `router.` or `service.` key that names no setting.
    #[error("annotation {key}: unknown setting")]
    Unknown { key: String },
}

/// Router settings of an Ingress (`RouterIng`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RouterAnnotations {
    /// `router.pathmatcher`: `Path`, `PathPrefix` or `PathRegexp`.
    pub(super) path_matcher: Option<String>,
    /// `router.entrypoints`.
    pub(super) entry_points: Option<Vec<String>>,
    /// `router.middlewares`, names as given.
    pub(super) middlewares: Option<Vec<String>>,
    /// `router.priority`.
    pub(super) priority: Option<i64>,
    /// `router.rulesyntax`.
    pub(super) rule_syntax: Option<String>,
    /// `router.tls` and `router.tls.*`.
    pub(super) tls: Option<RouterTls>,
    /// `router.observability` and `router.observability.*`.
    pub(super) observability: Option<Observability>,
}

/// Load-balancer settings of a Service (`ServiceIng`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct ServiceAnnotations {
    /// `service.serversscheme`.
    pub(super) servers_scheme: Option<String>,
    /// `service.serverstransport`, name as given.
    pub(super) servers_transport: Option<String>,
    /// `service.passhostheader`.
    pub(super) pass_host_header: Option<bool>,
    /// `service.sticky` and `service.sticky.cookie.*`.
    pub(super) sticky: Option<Sticky>,
    /// `service.nativelb`.
    pub(super) native_lb: Option<bool>,
    /// `service.nodeportlb`.
    pub(super) node_port_lb: bool,
    /// `service.middlewares`.
    pub(super) middlewares: Option<Vec<String>>,
}

/// One annotation of the tree being read: the key below the tree root,
/// lower-cased, the key as shown in errors, and the value.
struct Entry<'a> {
    rest: String,
    key: String,
    value: &'a str,
}

// === impl RouterAnnotations ===

impl RouterAnnotations {
    /// Reads the `router.*` annotations of an Ingress.
    pub(super) fn parse(
        annotations: Option<&BTreeMap<String, String>>,
    ) -> Result<RouterAnnotations, AnnotationError> {
        let mut out = RouterAnnotations::default();
        let mut domains: BTreeMap<u64, Domain> = BTreeMap::new();
        for e in entries(annotations, "router.") {
            let value = e.value;
            match e.rest.as_str() {
                "pathmatcher" => {
                    if !PATH_MATCHERS.contains(&value) {
                        return Err(AnnotationError::PathMatcher {
                            key: e.key,
                            value: value.to_owned(),
                        });
                    }
                    out.path_matcher = Some(value.to_owned());
                }
                "entrypoints" => out.entry_points = Some(list(value)),
                "middlewares" => out.middlewares = Some(list(value)),
                "priority" => out.priority = Some(integer(&e)?),
                "rulesyntax" => out.rule_syntax = Some(value.to_owned()),
                "tls" => {
                    if boolean(&e)? {
                        out.tls.get_or_insert_with(RouterTls::default);
                    }
                }
                "tls.certresolver" => {
                    out.tls.get_or_insert_with(RouterTls::default).cert_resolver =
                        Some(value.to_owned());
                }
                "tls.options" => {
                    out.tls.get_or_insert_with(RouterTls::default).options = Some(value.to_owned());
                }
                "observability" => {
                    if boolean(&e)? {
                        out.observability.get_or_insert_with(Observability::default);
                    }
                }
                rest => {
                    if let Some(field) = rest.strip_prefix("observability.") {
                        let o = out.observability.get_or_insert_with(Observability::default);
                        match field {
                            "accesslogs" => o.access_logs = Some(boolean(&e)?),
                            "metrics" => o.metrics = Some(boolean(&e)?),
                            "tracing" => o.tracing = Some(boolean(&e)?),
                            "traceverbosity" => o.trace_verbosity = Some(value.to_owned()),
                            _ => return Err(AnnotationError::Unknown { key: e.key }),
                        }
                    } else if let Some((index, field)) = domain_field(rest) {
                        let d = domains.entry(index).or_default();
                        match field {
                            "main" => d.main = Some(value.to_owned()),
                            "sans" => d.sans = Some(list(value)),
                            _ => return Err(AnnotationError::Unknown { key: e.key }),
                        }
                    } else {
                        return Err(AnnotationError::Unknown { key: e.key });
                    }
                }
            }
        }
        if !domains.is_empty() {
            out.tls.get_or_insert_with(RouterTls::default).domains =
                Some(domains.into_values().collect());
        }
        Ok(out)
    }
}

// === impl ServiceAnnotations ===

impl ServiceAnnotations {
    /// Reads the `service.*` annotations of a Service.
    pub(super) fn parse(
        annotations: Option<&BTreeMap<String, String>>,
    ) -> Result<ServiceAnnotations, AnnotationError> {
        let mut out = ServiceAnnotations::default();
        for e in entries(annotations, "service.") {
            let value = e.value;
            match e.rest.as_str() {
                "serversscheme" => out.servers_scheme = Some(value.to_owned()),
                "serverstransport" => out.servers_transport = Some(value.to_owned()),
                "passhostheader" => out.pass_host_header = Some(boolean(&e)?),
                "nativelb" => out.native_lb = Some(boolean(&e)?),
                "nodeportlb" => out.node_port_lb = boolean(&e)?,
                "middlewares" => out.middlewares = Some(list(value)),
                "sticky" => {
                    if boolean(&e)? {
                        out.sticky.get_or_insert_with(Sticky::default);
                    }
                }
                "sticky.cookie" => {
                    if boolean(&e)? {
                        cookie(&mut out.sticky);
                    }
                }
                rest => {
                    let Some(field) = rest.strip_prefix("sticky.cookie.") else {
                        return Err(AnnotationError::Unknown { key: e.key });
                    };
                    let value = value.to_owned();
                    match field {
                        "name" => cookie(&mut out.sticky).name = Some(value),
                        "secure" => cookie(&mut out.sticky).secure = Some(boolean(&e)?),
                        "httponly" => cookie(&mut out.sticky).http_only = Some(boolean(&e)?),
                        "samesite" => cookie(&mut out.sticky).same_site = Some(value),
                        "maxage" => cookie(&mut out.sticky).max_age = Some(integer(&e)?),
                        "path" => cookie(&mut out.sticky).path = Some(value),
                        "domain" => cookie(&mut out.sticky).domain = Some(value),
                        _ => return Err(AnnotationError::Unknown { key: e.key }),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The annotations under `traefik.ingress.kubernetes.io/<root>`.
fn entries<'a>(
    annotations: Option<&'a BTreeMap<String, String>>,
    root: &str,
) -> impl Iterator<Item = Entry<'a>> + 'a {
    let root = root.to_owned();
    annotations
        .into_iter()
        .flatten()
        .filter_map(move |(key, value)| {
            let key = key.strip_prefix(PREFIX)?;
            let lower = key.to_ascii_lowercase();
            let rest = lower.strip_prefix(&root)?.to_owned();
            Some(Entry {
                rest,
                key: key.to_owned(),
                value: value.as_str(),
            })
        })
}

/// `tls.domains.<n>.<field>`.
fn domain_field(rest: &str) -> Option<(u64, &str)> {
    let (index, field) = rest.strip_prefix("tls.domains.")?.split_once('.')?;
    Some((index.parse().ok()?, field))
}

fn cookie(sticky: &mut Option<Sticky>) -> &mut Cookie {
    sticky
        .get_or_insert_with(Sticky::default)
        .cookie
        .get_or_insert_with(Cookie::default)
}

/// A comma-separated list, items trimmed, empty items dropped.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Go's `strconv.ParseBool`.
fn boolean(e: &Entry<'_>) -> Result<bool, AnnotationError> {
    match e.value.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(AnnotationError::NotBool {
            key: e.key.clone(),
            value: e.value.to_owned(),
        }),
    }
}

fn integer(e: &Entry<'_>) -> Result<i64, AnnotationError> {
    e.value
        .trim()
        .parse()
        .map_err(|_| AnnotationError::NotInteger {
            key: e.key.clone(),
            value: e.value.to_owned(),
        })
}
