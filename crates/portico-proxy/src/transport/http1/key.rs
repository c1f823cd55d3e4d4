//! The key idle connections are filed under: a server's authority, hashed once.

use std::{
    fmt,
    hash::{Hash, Hasher},
    sync::Arc,
};

use fnv::FnvHasher;
use http::uri::Authority;

/// A server's authority with its hash computed when the configuration is built.
///
/// `Authority` hashes byte by byte, lower-casing each, and compares without
/// regard to case: on every checkout and checkin that was a few hundred
/// instructions (callgrind). A key made once per [`crate::Target`] hashes as one
/// word and, for the same target, compares by pointer.
#[derive(Clone)]
pub(crate) struct ServerKey(Arc<Inner>);

struct Inner {
    authority: Authority,
    hash: u64,
}

// === impl ServerKey ===

impl ServerKey {
    pub(crate) fn new(authority: Authority) -> ServerKey {
        let mut hasher = FnvHasher::default();
        authority.hash(&mut hasher);
        let hash = hasher.finish();
        ServerKey(Arc::new(Inner { authority, hash }))
    }

    /// The server's `host:port`.
    pub(crate) fn authority(&self) -> &Authority {
        &self.0.authority
    }
}

impl PartialEq for ServerKey {
    fn eq(&self, other: &ServerKey) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.hash == other.0.hash && self.0.authority == other.0.authority)
    }
}

impl Eq for ServerKey {}

impl Hash for ServerKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.authority, f)
    }
}

impl fmt::Display for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.authority, f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use super::*;

    fn key(s: &str) -> ServerKey {
        ServerKey::new(s.parse().unwrap())
    }

    #[test]
    fn keys_of_the_same_authority_are_equal_whatever_the_case() {
        assert_eq!(key("a.example:80"), key("A.Example:80"));
        assert_ne!(key("a.example:80"), key("a.example:81"));
        let set: HashSet<ServerKey> = [key("a.example:80"), key("A.EXAMPLE:80")].into();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn a_key_shows_its_authority() {
        assert_eq!(key("127.0.0.1:8080").to_string(), "127.0.0.1:8080");
        assert_eq!(format!("{:?}", key("b:1")), "b:1");
    }
}
