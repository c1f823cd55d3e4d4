//! Traefik's `highestRandomWeight` service: rendezvous hashing of the client IP.

use std::{
    convert::Infallible,
    future::Future,
    net::IpAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use portico_core::{ConnectionInfo, HttpRequest, HttpResponse, ProxyError};
use tower::{Service, ServiceExt};

use crate::{ServiceHealth, WeightedChild};

type BoxFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0100_0000_01b3;
/// 2^64, the range of the hash.
const FNV64_RANGE: f64 = 18_446_744_073_709_551_616.0;

/// Traefik's `highestRandomWeight` service.
///
/// Each request goes to the child with the highest score for the client's IP,
/// Traefik v3's formula: `weight / -ln(h / 2^64)` where `h` is the 64-bit FNV-1a
/// hash of the client IP followed by the child's name. One deliberate difference:
/// Portico passes `h` through a final avalanche step (MurmurHash3's `fmix64`)
/// first. FNV-1a's last bytes barely touch the top bits of `h`, so with Traefik's
/// plain hash children whose names differ only at the end (`app1`, `app2`,
/// `app3`) get nearly equal `h` for every client and the heaviest child takes
/// every client. The scores, and so which client goes where, thus differ from a
/// Traefik instance's; the properties do not. A client therefore stays on
/// the same child while that child can take requests; across clients, each child
/// gets a share proportional to its weight; when a child leaves, only its clients
/// move. The client IP is the connection's peer ([`ConnectionInfo`]), as Traefik's
/// `RemoteAddrStrategy`; a request without one hashes as the empty string.
///
/// Children with weight 0 are never picked. With `health_check` on, children
/// whose [`ServiceHealth`] is down are skipped and the service is up while any
/// child is; with it off every child is picked and the service is always up. No
/// pickable child: `503 no available server`.
///
/// # Example
///
/// ```
/// use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
/// use portico_service::{HighestRandomWeight, ServiceHealth, WeightedChild};
/// use std::convert::Infallible;
///
/// let child = || {
///     box_http_service(tower::service_fn(|_req: HttpRequest| async {
///         Ok::<_, Infallible>(HttpResponse::new(Body::empty()))
///     }))
/// };
/// let hrw = HighestRandomWeight::new(vec![
///     WeightedChild::new("a", 1, child(), ServiceHealth::always_up()),
///     WeightedChild::new("b", 2, child(), ServiceHealth::always_up()),
/// ]);
/// let ip = "192.0.2.7".parse().unwrap();
/// assert_eq!(hrw.pick(ip), hrw.pick(ip));
/// ```
///
/// Cloning is cheap; picking keeps no state.
#[derive(Clone, Debug)]
pub struct HighestRandomWeight {
    children: Arc<[WeightedChild]>,
    health_check: bool,
}

// === impl HighestRandomWeight ===

impl HighestRandomWeight {
    /// A service over `children`, without health propagation.
    pub fn new(children: Vec<WeightedChild>) -> HighestRandomWeight {
        HighestRandomWeight {
            children: children.into_iter().filter(|c| c.weight > 0).collect(),
            health_check: false,
        }
    }

    /// Whether children's health is followed (`healthCheck: {}`).
    pub fn health_check(mut self, on: bool) -> HighestRandomWeight {
        self.health_check = on;
        self
    }

    /// The service's health: any child up with `health_check`, else always up.
    pub fn health(&self) -> ServiceHealth {
        if self.health_check {
            ServiceHealth::any_of(self.children.iter().map(|c| c.health.clone()).collect())
        } else {
            ServiceHealth::always_up()
        }
    }

    /// The name of the child a client with this IP goes to now, if any.
    pub fn pick(&self, client: IpAddr) -> Option<&str> {
        let ip = client.to_canonical().to_string();
        self.pick_index(ip.as_bytes())
            .map(|i| &*self.children[i].name)
    }

    fn pick_index(&self, client: &[u8]) -> Option<usize> {
        let source = fnv1a(FNV64_OFFSET, client);
        let mut best: Option<(usize, f64)> = None;
        for (index, child) in self.children.iter().enumerate() {
            if self.health_check && !child.health.is_up() {
                continue;
            }
            let score = score(source, child);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((index, score));
            }
        }
        best.map(|(index, _)| index)
    }
}

impl Service<HttpRequest> for HighestRandomWeight {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> BoxFuture {
        let client = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|c| c.peer_ip_value().as_bytes())
            .unwrap_or_default();
        let Some(index) = self.pick_index(client) else {
            return Box::pin(async { Ok(ProxyError::NoAvailableServer.into_response()) });
        };
        let child = &self.children[index];
        tracing::trace!(service = %child.name, "highest random weight pick");
        Box::pin(child.service.clone().oneshot(request))
    }
}

/// Traefik's node score: the hash of client and name mapped to `(0, 1)`, then
/// `weight / -ln(x)` (the larger, the likelier; exponential race by weight).
fn score(source: u64, child: &WeightedChild) -> f64 {
    let hash = fmix64(fnv1a(source, child.name.as_bytes()));
    let x = hash as f64 / FNV64_RANGE;
    f64::from(child.weight) / -x.ln()
}

/// Continues a 64-bit FNV-1a hash over `bytes`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(FNV64_PRIME);
    }
    hash
}

/// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_core::{Body, box_http_service};

    fn child(name: &str, weight: u32) -> WeightedChild {
        let service = box_http_service(tower::service_fn(|_req: HttpRequest| async {
            Ok::<_, Infallible>(HttpResponse::new(Body::empty()))
        }));
        WeightedChild::new(name, weight, service, ServiceHealth::always_up())
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(FNV64_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(FNV64_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(FNV64_OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
        // Hashing in two steps is hashing the concatenation (Traefik hashes
        // `ip + name`).
        assert_eq!(
            fnv1a(fnv1a(FNV64_OFFSET, b"10.0.0.1"), b"svc"),
            fnv1a(FNV64_OFFSET, b"10.0.0.1svc")
        );
    }

    #[test]
    fn names_differing_only_at_the_end_still_compete() {
        // Without the finalizer, `app3` (heaviest) would win every client.
        let hrw =
            HighestRandomWeight::new(vec![child("app1", 1), child("app2", 1), child("app3", 2)]);
        let mut wins = [0; 3];
        for i in 0..400u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 | i));
            match hrw.pick(ip) {
                Some("app1") => wins[0] += 1,
                Some("app2") => wins[1] += 1,
                _ => wins[2] += 1,
            }
        }
        assert!(wins.iter().all(|w| *w > 50), "{wins:?}");
    }

    #[test]
    fn score_grows_with_weight() {
        let source = fnv1a(FNV64_OFFSET, b"192.0.2.1");
        let light = score(source, &child("x", 1));
        let heavy = score(source, &child("x", 4));
        assert!(light > 0.0);
        assert!((heavy / light - 4.0).abs() < 1e-9, "{light} {heavy}");
    }

    #[test]
    fn zero_weight_children_are_dropped() {
        let hrw = HighestRandomWeight::new(vec![child("a", 0), child("b", 1)]);
        for i in 0..50u8 {
            assert_eq!(hrw.pick(IpAddr::from([10, 0, 0, i])), Some("b"));
        }
        assert_eq!(
            HighestRandomWeight::new(vec![child("a", 0)]).pick_index(b""),
            None
        );
    }
}
