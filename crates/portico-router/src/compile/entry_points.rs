//! The entrypoints routers attach to.

use std::collections::BTreeMap;

/// The entrypoints routers can attach to, the default ones (`asDefault`, or all of
/// them when none is marked) for routers that name none, and the middlewares each
/// entrypoint prepends to its routers (`entryPoints.<ep>.http.middlewares`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryPointSet {
    names: Vec<String>,
    defaults: Vec<String>,
    middlewares: BTreeMap<String, Vec<String>>,
    /// Entrypoints whose every router is a TLS router (`http.tls`), with the TLS
    /// options they name, if any.
    tls: BTreeMap<String, Option<String>>,
}

// === impl EntryPointSet ===

impl EntryPointSet {
    /// From `(name, asDefault)` pairs.
    ///
    /// # Example
    ///
    /// ```
    /// use portico_router::EntryPointSet;
    /// let set = EntryPointSet::new([("web", false), ("websecure", true)]);
    /// assert_eq!(set.defaults(), ["websecure"]);
    /// let set = EntryPointSet::new([("web", false), ("admin", false)]);
    /// assert_eq!(set.defaults(), ["admin", "web"]);
    /// ```
    pub fn new<'a>(entry_points: impl IntoIterator<Item = (&'a str, bool)>) -> EntryPointSet {
        let mut names = Vec::new();
        let mut marked = Vec::new();
        for (name, as_default) in entry_points {
            names.push(name.to_owned());
            if as_default {
                marked.push(name.to_owned());
            }
        }
        names.sort();
        marked.sort();
        let defaults = if marked.is_empty() {
            names.clone()
        } else {
            marked
        };
        EntryPointSet {
            names,
            defaults,
            middlewares: BTreeMap::new(),
            tls: BTreeMap::new(),
        }
    }

    /// Sets the middlewares entrypoint `name` prepends to every router on it
    /// (qualified names, `auth@file`).
    pub fn with_middlewares(mut self, name: &str, middlewares: Vec<String>) -> EntryPointSet {
        if !middlewares.is_empty() {
            self.middlewares.insert(name.to_owned(), middlewares);
        }
        self
    }

    /// Makes every router on entrypoint `name` a TLS router (`http.tls`), with
    /// `options` as their TLS options unless they name their own.
    pub fn with_tls(mut self, name: &str, options: Option<String>) -> EntryPointSet {
        self.tls.insert(name.to_owned(), options);
        self
    }

    /// `Some(options)` when entrypoint `name` makes its routers TLS routers.
    pub fn tls(&self, name: &str) -> Option<Option<&str>> {
        self.tls.get(name).map(Option::as_deref)
    }

    /// Every entrypoint's name.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The default entrypoints.
    pub fn defaults(&self) -> &[String] {
        &self.defaults
    }

    /// The middlewares entrypoint `name` prepends.
    pub fn middlewares(&self, name: &str) -> &[String] {
        self.middlewares.get(name).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}
