//! Which server a sticky cookie names.

use std::{collections::HashMap, sync::Arc};

use http::{HeaderMap, HeaderValue};
use portico_proxy::Target;

use crate::{StickyCookie, sticky_value};

/// A balancer's sticky cookie with the values naming each server.
#[derive(Debug)]
pub(super) struct Sticky {
    cookie: StickyCookie,
    /// Cookie value → (server position, whether the value is an older format to
    /// rewrite).
    by_value: HashMap<Box<str>, (usize, bool)>,
    /// The `Set-Cookie` pinning each server (`None` if it cannot be a header).
    set_cookie: Box<[Option<HeaderValue>]>,
}

// === impl Sticky ===

impl Sticky {
    /// Servers with weight 0 cannot be pinned (they are never picked).
    pub(super) fn new(cookie: StickyCookie, servers: &[(Arc<Target>, u32)]) -> Sticky {
        let mut by_value = HashMap::with_capacity(servers.len() * 3);
        let pinnable = || servers.iter().enumerate().filter(|(_, (_, w))| *w > 0);
        // Current values first: an older-format value never shadows them.
        for (i, (target, _)) in pinnable() {
            by_value
                .entry(sticky_value(target.url()).into_boxed_str())
                .or_insert((i, false));
        }
        for (i, (target, _)) in pinnable() {
            let url = target.url();
            // Traefik v2 held the raw URL, v3.0 to v3.2 its FNV-1 hash, and some
            // v3 cookies a hash of that hash.
            let fnv = fnv1(url);
            for legacy in [url.to_owned(), fnv1(&fnv), fnv] {
                by_value.entry(legacy.into_boxed_str()).or_insert((i, true));
            }
        }
        let set_cookie = servers
            .iter()
            .map(|(target, _)| cookie.set_cookie(&sticky_value(target.url())))
            .collect();
        Sticky {
            cookie,
            by_value,
            set_cookie,
        }
    }

    /// The server the request's cookie names, and whether to rewrite the cookie.
    pub(super) fn pinned(&self, headers: &HeaderMap) -> Option<(usize, bool)> {
        let value = self.cookie.pinned(headers)?;
        self.by_value.get(value).copied()
    }

    /// The `Set-Cookie` value pinning the server at `index`.
    pub(super) fn set_cookie(&self, index: usize) -> Option<HeaderValue> {
        self.set_cookie.get(index).cloned().flatten()
    }
}

/// 64-bit FNV-1 in hex, the cookie value Traefik v3.0 to v3.2 wrote (Go's
/// `fnv.New64`).
fn fnv1(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        hash ^= u64::from(byte);
    }
    format!("{hash:x}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test panics on the unexpected
mod tests {
    use super::*;

    fn servers() -> Vec<(Arc<Target>, u32)> {
        [
            "http://10.0.0.1:80",
            "http://10.0.0.2:80",
            "http://10.0.0.3:80",
        ]
        .into_iter()
        .zip([1, 1, 0])
        .map(|(u, w)| (Arc::new(Target::parse(u).unwrap()), w))
        .collect()
    }

    fn cookie(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", format!("x=1; lb={value}").parse().unwrap());
        headers
    }

    #[test]
    fn fnv1_matches_go() {
        // Go: fnv.New64() over "" and "a" (FNV-1, not FNV-1a).
        assert_eq!(fnv1(""), "cbf29ce484222325");
        assert_eq!(fnv1("a"), "af63bd4c8601b7be");
    }

    #[test]
    fn current_and_older_values_name_their_server() {
        let sticky = Sticky::new(StickyCookie::new("lb"), &servers());
        let url = "http://10.0.0.2:80";
        assert_eq!(sticky.pinned(&cookie(&sticky_value(url))), Some((1, false)));
        assert_eq!(sticky.pinned(&cookie(url)), Some((1, true)));
        assert_eq!(sticky.pinned(&cookie(&fnv1(url))), Some((1, true)));
        assert_eq!(sticky.pinned(&cookie(&fnv1(&fnv1(url)))), Some((1, true)));
        assert_eq!(sticky.pinned(&cookie("nope")), None);
        assert_eq!(sticky.pinned(&HeaderMap::new()), None);
        // Weight 0 cannot be pinned.
        assert_eq!(
            sticky.pinned(&cookie(&sticky_value("http://10.0.0.3:80"))),
            None
        );
        let set = sticky.set_cookie(1).unwrap();
        assert_eq!(set, format!("lb={}; Path=/", sticky_value(url)).as_str());
    }
}
