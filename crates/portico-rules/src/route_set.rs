//! [`RouteSet`]: priority-ordered, host-indexed first-match route selection.
//!
//! Routes are sorted by priority, highest first; equal priorities keep insertion order
//! (the caller inserts in its tie-break order, e.g. Traefik's provider precedence). The
//! first route whose rule matches wins, exactly as a linear scan would decide.
//!
//! To avoid scanning every route, each rule's *required hosts* are derived from its tree
//! (`Host(a) && X` requires `a`; `Host(a) || Host(b)` requires `a` or `b`; a host-less
//! branch, `!Host`, `HostRegexp` or `Host(`*`)` require nothing) and the route is filed
//! under them: exact hosts in one map, single-label wildcards `*.parent` in another by
//! parent, the rest in a generic list. [`RouteSet::find`] merges the (already ordered)
//! candidate lists for the request host and evaluates them in global order.
//!
//! # Costs
//!
//! `find` does up to two hash lookups (exact host; wildcard parent, only when some rule
//! uses a `*.` wildcard) and walks the merged
//! candidates: the routes filed under the request host plus the generic ones. It does
//! not allocate unless a matcher does (`Query` on encoded values). A request host that
//! is not lower-case ASCII (never the case for [`canonical_host`](crate::canonical_host)
//! output, except for non-ASCII hosts) falls back to a linear scan, so results never
//! depend on the index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::matcher::host::HostKey;
use crate::request::RequestView;
use crate::rule::Rule;

/// An immutable, priority-ordered set of routes; `Send + Sync` when `T` is.
///
/// # Example
///
/// ```
/// use portico_rules::{RequestView, RouteSet, Rule, Syntax};
///
/// let mut builder = RouteSet::builder();
/// for (rule, name) in [("Host(`a.example`)", "a"), ("PathPrefix(`/`)", "fallback")] {
///     let rule = Rule::parse(rule, Syntax::V3)?;
///     let priority = rule.default_priority();
///     builder.push(rule, priority, name);
/// }
/// let routes = builder.build();
///
/// let headers = http::HeaderMap::new();
/// let req = RequestView {
///     method: &http::Method::GET,
///     host: "a.example",
///     path: "/x",
///     query: None,
///     headers: &headers,
///     client_ip: None,
/// };
/// assert_eq!(routes.find(&req), Some(&"a"));
/// assert_eq!(routes.find(&RequestView { host: "b.example", ..req }), Some(&"fallback"));
/// # Ok::<(), portico_rules::RuleError>(())
/// ```
#[derive(Debug)]
pub struct RouteSet<T> {
    routes: Vec<Route<T>>,
    exact: HostMap,
    wildcard: HostMap,
    generic: Vec<u32>,
}

/// Host name to ascending route indexes.
///
/// The keys come from configuration (trusted), so an unkeyed multiply-rotate hash is used
/// instead of SipHash: a request host only chooses which bucket to probe.
type HostMap = HashMap<Box<str>, Vec<u32>, BuildHasherDefault<FxHasher>>;

/// Collects routes for a [`RouteSet`].
#[derive(Debug)]
pub struct RouteSetBuilder<T> {
    routes: Vec<Route<T>>,
}

#[derive(Debug)]
struct Route<T> {
    rule: Rule,
    priority: i64,
    value: T,
}

// === impl RouteSetBuilder ===

impl<T> RouteSetBuilder<T> {
    /// Adds a route. Among equal priorities, earlier pushes win.
    pub fn push(&mut self, rule: Rule, priority: i64, value: T) -> &mut Self {
        self.routes.push(Route {
            rule,
            priority,
            value,
        });
        self
    }

    /// Sorts and indexes the routes.
    pub fn build(self) -> RouteSet<T> {
        let mut routes = self.routes;
        // Stable: equal priorities keep insertion order.
        routes.sort_by_key(|r| std::cmp::Reverse(r.priority));
        let mut exact = HostMap::default();
        let mut wildcard = HostMap::default();
        let mut generic = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match route.rule.host_keys() {
                None => generic.push(i),
                Some(keys) => {
                    for key in keys {
                        let (map, k) = match key {
                            HostKey::Exact(h) => (&mut exact, h),
                            HostKey::Wildcard(p) => (&mut wildcard, p),
                        };
                        let list = map.entry(k.clone()).or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
            }
        }
        RouteSet {
            routes,
            exact,
            wildcard,
            generic,
        }
    }
}

impl<T> Default for RouteSetBuilder<T> {
    fn default() -> Self {
        Self { routes: Vec::new() }
    }
}

// === impl RouteSet ===

impl<T> RouteSet<T> {
    /// Starts an empty builder.
    pub fn builder() -> RouteSetBuilder<T> {
        RouteSetBuilder::default()
    }

    /// The value of the first route (in priority order) whose rule matches.
    pub fn find(&self, req: &RequestView<'_>) -> Option<&T> {
        let host = req.host;
        if !host
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            return self.find_linear(req);
        }
        let key = host.strip_suffix('.').unwrap_or(host);
        let exact = self.exact.get(key).map_or(&[][..], Vec::as_slice);
        let wildcard = if self.wildcard.is_empty() {
            &[][..]
        } else {
            key.find('.')
                .and_then(|i| self.wildcard.get(&key[i + 1..]))
                .map_or(&[][..], Vec::as_slice)
        };
        Merge::new([exact, wildcard, &self.generic])
            .map(|i| &self.routes[i as usize])
            .find(|route| route.rule.matches(req))
            .map(|route| &route.value)
    }

    fn find_linear(&self, req: &RequestView<'_>) -> Option<&T> {
        self.routes
            .iter()
            .find(|route| route.rule.matches(req))
            .map(|route| &route.value)
    }

    /// The number of routes.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether there are no routes.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The routes in evaluation order: `(rule, priority, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&Rule, i64, &T)> {
        self.routes.iter().map(|r| (&r.rule, r.priority, &r.value))
    }
}

impl<T> Default for RouteSet<T> {
    fn default() -> Self {
        RouteSetBuilder::default().build()
    }
}

/// rustc's `FxHasher`: one multiply and rotate per 8 bytes.
#[derive(Clone, Copy, Debug, Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Merges three ascending index lists, skipping duplicates.
struct Merge<'a> {
    lists: [&'a [u32]; 3],
    last: Option<u32>,
}

impl<'a> Merge<'a> {
    fn new(lists: [&'a [u32]; 3]) -> Self {
        Self { lists, last: None }
    }
}

impl Iterator for Merge<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        loop {
            let (slot, &value) = self
                .lists
                .iter()
                .enumerate()
                .filter_map(|(slot, list)| list.first().map(|v| (slot, v)))
                .min_by_key(|(_, v)| **v)?;
            self.lists[slot] = &self.lists[slot][1..];
            if self.last != Some(value) {
                self.last = Some(value);
                return Some(value);
            }
        }
    }
}

#[cfg(test)]
mod tests;
