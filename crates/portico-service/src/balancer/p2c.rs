//! Power of two random choices.

/// Power of two random choices: draws two distinct eligible servers at random and
/// takes the one with fewer in-flight requests (the first drawn on a tie).
///
/// As in Traefik v3, weights do not bias the draw: every server with a positive
/// weight is an equal candidate. Unlike Traefik, a server with weight 0 is never
/// picked, as with [`super::Wrr`], so a weight of 0 drains a server whatever the
/// strategy.
///
/// The draw is O(1) while most servers are eligible (rejection sampling, a few
/// tries); when few are, it falls back to one O(n) pass over the candidates.
///
/// # Example
///
/// ```
/// use portico_service::balancer::P2c;
///
/// let p2c = P2c::new(&[1, 1, 0]);
/// let in_flight = [3, 1, 0];
/// // With two candidates both are always drawn: the less loaded one wins.
/// assert_eq!(p2c.next_among(|_| true, |i| in_flight[i]), Some(1));
/// assert_eq!(p2c.next_among(|i| i != 1, |i| in_flight[i]), Some(0));
/// assert_eq!(p2c.next_among(|i| i == 2, |i| in_flight[i]), None);
/// ```
#[derive(Clone, Debug)]
pub struct P2c {
    /// Positions of the servers with a positive weight.
    candidates: Box<[usize]>,
}

/// Random draws tried before scanning for the eligible candidates.
const TRIES: usize = 32;

// === impl P2c ===

impl P2c {
    /// A balancer over servers with these weights (indices are server positions).
    pub fn new(weights: &[u32]) -> P2c {
        P2c {
            candidates: weights
                .iter()
                .enumerate()
                .filter(|(_, w)| **w > 0)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The index of the next server among those `eligible` accepts, comparing
    /// `load` (in-flight requests) of two random ones; `None` when none is eligible.
    pub fn next_among(
        &self,
        eligible: impl Fn(usize) -> bool,
        load: impl Fn(usize) -> usize,
    ) -> Option<usize> {
        let n = self.candidates.len();
        let (first, second) = match n {
            0 => return None,
            1 => {
                let only = self.candidates[0];
                return eligible(only).then_some(only);
            }
            2 => {
                // Both are drawn every time, in random order.
                let (a, b) = (self.candidates[0], self.candidates[1]);
                let (a, b) = if fastrand::bool() { (a, b) } else { (b, a) };
                match (eligible(a), eligible(b)) {
                    (true, true) => (a, b),
                    (true, false) => return Some(a),
                    (false, true) => return Some(b),
                    (false, false) => return None,
                }
            }
            _ => match self.draw_two(&eligible) {
                Some(pair) => pair,
                None => self.scan_two(&eligible)?,
            },
        };
        if load(second) < load(first) {
            Some(second)
        } else {
            Some(first)
        }
    }

    /// Two distinct eligible candidates by rejection sampling, if found quickly.
    fn draw_two(&self, eligible: &impl Fn(usize) -> bool) -> Option<(usize, usize)> {
        let n = self.candidates.len();
        let first = (0..TRIES)
            .map(|_| fastrand::usize(..n))
            .find(|i| eligible(self.candidates[*i]))?;
        let second = (0..TRIES)
            .map(|_| fastrand::usize(..n - 1))
            .map(|i| if i >= first { i + 1 } else { i })
            .find(|i| eligible(self.candidates[*i]))?;
        Some((self.candidates[first], self.candidates[second]))
    }

    /// Two distinct eligible candidates from a full pass; `Some((x, x))` when only
    /// `x` is eligible, `None` when none is.
    fn scan_two(&self, eligible: &impl Fn(usize) -> bool) -> Option<(usize, usize)> {
        let up: Vec<usize> = self
            .candidates
            .iter()
            .copied()
            .filter(|i| eligible(*i))
            .collect();
        match up.len() {
            0 => None,
            1 => Some((up[0], up[0])),
            n => {
                let first = fastrand::usize(..n);
                let second = fastrand::usize(..n - 1);
                let second = if second >= first { second + 1 } else { second };
                Some((up[first], up[second]))
            }
        }
    }

    /// How many servers can be picked (those with a positive weight).
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Whether no server can be picked.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test panics on the unexpected
mod tests {
    use super::*;

    #[test]
    fn less_loaded_of_two_wins() {
        let p2c = P2c::new(&[1, 1]);
        for _ in 0..100 {
            assert_eq!(p2c.next_among(|_| true, |i| [2, 1][i]), Some(1));
        }
    }

    #[test]
    fn picks_spread_when_loads_are_equal() {
        let p2c = P2c::new(&[1, 1, 1, 1]);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[p2c.next_among(|_| true, |_| 0).unwrap()] += 1;
        }
        assert!(
            counts.iter().all(|c| (800..=1200).contains(c)),
            "{counts:?}"
        );
    }

    #[test]
    fn the_most_loaded_server_is_never_picked_among_many() {
        // Every pair compares two servers; the most loaded one only wins a tie.
        let p2c = P2c::new(&[1; 10]);
        for _ in 0..1000 {
            assert_ne!(p2c.next_among(|_| true, |i| usize::from(i == 7)), Some(7));
        }
    }

    #[test]
    fn only_eligible_positive_weight_servers_are_picked() {
        let p2c = P2c::new(&[1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(p2c.len(), 9);
        for _ in 0..1000 {
            let pick = p2c.next_among(|i| i != 3, |_| 0).unwrap();
            assert!(pick != 1 && pick != 3);
        }
        // A single eligible server among many is found by the fallback scan.
        for _ in 0..100 {
            assert_eq!(p2c.next_among(|i| i == 9, |_| 0), Some(9));
        }
        assert_eq!(p2c.next_among(|_| false, |_| 0), None);
        assert_eq!(P2c::new(&[0, 0]).next_among(|_| true, |_| 0), None);
        assert_eq!(P2c::new(&[]).next_among(|_| true, |_| 0), None);
        assert_eq!(P2c::new(&[0, 3]).next_among(|_| true, |_| 0), Some(1));
    }
}
