//! Server selection strategies (`loadBalancer.strategy`), without I/O.
//!
//! Each picker works on server positions `0..n` and asks the caller which
//! positions are eligible (in rotation), so health stays with the caller and the
//! pick stays cheap to benchmark:
//!
//! - [`Wrr`]: weighted round robin (smooth for small pools, earliest deadline
//!   first for large ones).
//! - [`P2c`]: power of two random choices by in-flight requests.
//!
//! # Example
//!
//! ```
//! use portico_service::balancer::{P2c, Wrr};
//!
//! let wrr = Wrr::new(&[2, 1, 0]);
//! let picks: Vec<_> = (0..6).filter_map(|_| wrr.next_among(|_| true)).collect();
//! assert_eq!(picks.iter().filter(|i| **i == 0).count(), 4);
//! assert!(!picks.contains(&2)); // weight 0: never picked
//!
//! let p2c = P2c::new(&[1, 1]);
//! let in_flight = [5, 0];
//! assert_eq!(p2c.next_among(|_| true, |i| in_flight[i]), Some(1));
//! ```

mod p2c;
mod wrr;

pub use self::{
    p2c::P2c,
    wrr::{SMOOTH_MAX_SERVERS, Wrr},
};

/// How a load balancer picks a server (`loadBalancer.strategy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// `wrr`: smooth weighted round robin ([`Wrr`]), the default.
    #[default]
    Wrr,
    /// `p2c`: power of two random choices by in-flight requests ([`P2c`]).
    P2c,
}
