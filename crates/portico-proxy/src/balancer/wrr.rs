//! Smooth weighted round robin (nginx's algorithm).

use std::sync::Mutex;

/// Smooth weighted round robin: over every cycle of `sum(weights)` picks, each
/// server is chosen exactly `weight` times, interleaved as evenly as possible
/// (weights 3 and 1 give `a a b a`, not `a a a b`).
///
/// Each pick adds every weight to its server's running score, takes the highest
/// score and subtracts the total from it. Servers with weight 0 are never picked.
///
/// # Example
///
/// ```
/// use portico_proxy::balancer::Wrr;
///
/// let wrr = Wrr::new(&[3, 1]);
/// let picks: Vec<_> = (0..8).map(|_| wrr.next().unwrap()).collect();
/// assert_eq!(picks, [0, 0, 1, 0, 0, 0, 1, 0]);
/// ```
#[derive(Debug)]
pub struct Wrr {
    weights: Box<[i64]>,
    total: i64,
    current: Mutex<Box<[i64]>>,
}

// === impl Wrr ===

impl Wrr {
    /// A balancer over servers with these weights (indices are server positions).
    pub fn new(weights: &[u32]) -> Wrr {
        let weights: Box<[i64]> = weights.iter().map(|w| i64::from(*w)).collect();
        let total = weights.iter().sum();
        Wrr {
            current: Mutex::new(vec![0; weights.len()].into_boxed_slice()),
            weights,
            total,
        }
    }

    /// The index of the next server, or `None` when every weight is zero.
    pub fn next(&self) -> Option<usize> {
        self.next_among(|_| true)
    }

    /// The index of the next server among those `eligible` accepts (for example the
    /// healthy ones), or `None` when none is eligible or all have weight zero.
    pub fn next_among(&self, eligible: impl Fn(usize) -> bool) -> Option<usize> {
        match self.weights.len() {
            0 => return None,
            1 => return (self.weights[0] > 0 && eligible(0)).then_some(0),
            _ => {}
        }
        // A poisoned lock only means another pick panicked mid-update; the scores
        // are still integers, so keep going with them.
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut best: Option<usize> = None;
        let mut total = 0;
        for (i, weight) in self.weights.iter().enumerate() {
            if *weight == 0 || !eligible(i) {
                continue;
            }
            current[i] += weight;
            total += weight;
            if best.is_none_or(|b| current[i] > current[b]) {
                best = Some(i);
            }
        }
        if let Some(b) = best {
            current[b] -= total;
        }
        debug_assert!(total <= self.total);
        best
    }

    /// How many servers the balancer knows.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the balancer has no server.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(wrr: &Wrr, picks: usize) -> Vec<usize> {
        let mut counts = vec![0; wrr.len()];
        for _ in 0..picks {
            counts[wrr.next().unwrap()] += 1;
        }
        counts
    }

    #[test]
    fn every_cycle_is_an_exact_split() {
        let wrr = Wrr::new(&[3, 1]);
        for _ in 0..100 {
            assert_eq!(counts(&wrr, 4), [3, 1]);
        }
        let wrr = Wrr::new(&[5, 2, 1]);
        for _ in 0..50 {
            assert_eq!(counts(&wrr, 8), [5, 2, 1]);
        }
    }

    #[test]
    fn equal_weights_alternate() {
        let wrr = Wrr::new(&[1, 1, 1]);
        let picks: Vec<_> = (0..6).map(|_| wrr.next().unwrap()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn zero_weights_and_ineligible_servers_are_skipped() {
        assert_eq!(Wrr::new(&[]).next(), None);
        assert_eq!(Wrr::new(&[0]).next(), None);
        assert_eq!(Wrr::new(&[0, 0]).next(), None);
        assert_eq!(counts(&Wrr::new(&[0, 2]), 10), [0, 10]);
        let wrr = Wrr::new(&[1, 1, 1]);
        for _ in 0..10 {
            assert_ne!(wrr.next_among(|i| i != 1), Some(1));
        }
        assert_eq!(wrr.next_among(|_| false), None);
    }
}
