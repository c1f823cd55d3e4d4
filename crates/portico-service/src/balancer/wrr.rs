//! Weighted round robin: smooth (nginx's algorithm) for small pools, earliest
//! deadline first for large ones.

use std::{cmp::Reverse, collections::BinaryHeap, sync::Mutex};

/// Pools up to this size use the smooth algorithm (O(n) per pick, exact
/// interleaving); larger ones earliest deadline first (O(log n) per pick).
pub const SMOOTH_MAX_SERVERS: usize = 32;

/// Weighted round robin over server positions `0..n`; servers with weight 0 are
/// never picked.
///
/// - Up to [`SMOOTH_MAX_SERVERS`] servers: **smooth weighted round robin**. Over
///   every cycle of `sum(weights)` picks among the same eligible servers, each is
///   chosen exactly `weight` times, interleaved as evenly as possible (weights 3
///   and 1 give `a a b a`, not `a a a b`). Each pick adds every eligible weight to
///   its server's score, takes the highest and subtracts the eligible total from
///   it.
/// - Larger pools: **earliest deadline first**, as Traefik does for every pool:
///   each server has a virtual deadline advanced by `1 / weight` when picked, and
///   the earliest deadline is picked from a heap. Shares follow the weights over
///   time without the exact per-cycle split.
///
/// Eligibility (health) comes from the caller: `eligible` is asked per server,
/// at every pick ([`Wrr::next_among`]) or when the caller's `epoch` says answers
/// may have changed ([`Wrr::next_among_at`]).
///
/// Balancers built at the same moment (a reload, many proxies) do not all start on
/// the first server: the smooth scan starts at a random rotation and the deadlines
/// at random offsets ([`Wrr::seeded`] makes that deterministic).
///
/// # Example
///
/// ```
/// use portico_service::balancer::Wrr;
///
/// let wrr = Wrr::new(&[3, 1, 0]);
/// let mut counts = [0; 3];
/// for _ in 0..8 {
///     counts[wrr.next_among(|_| true).unwrap()] += 1;
/// }
/// assert_eq!(counts, [6, 2, 0]);
/// ```
#[derive(Debug)]
pub struct Wrr {
    repr: Repr,
    len: usize,
}

#[derive(Debug)]
enum Repr {
    Smooth(Smooth),
    Edf(Edf),
}

#[derive(Debug)]
struct Smooth {
    weights: Box<[i64]>,
    /// Where the scan (and so tie-breaking) starts.
    start: usize,
    scores: Mutex<Box<[i64]>>,
}

/// Virtual time units per pick of a weight-1 server.
const SCALE: u128 = 1 << 64;

#[derive(Debug)]
struct Edf {
    /// `SCALE / weight`, 0 for weight 0.
    steps: Box<[u128]>,
    state: Mutex<EdfState>,
}

#[derive(Debug)]
struct EdfState {
    /// `(deadline, position)` of servers believed eligible; earliest first, ties
    /// to the lower position.
    heap: BinaryHeap<Reverse<(u128, usize)>>,
    in_heap: Box<[bool]>,
    eligible: Box<[bool]>,
    /// Deadline of the last pick.
    now: u128,
    /// The caller's epoch the eligibility above was read at.
    epoch: u64,
}

// === impl Wrr ===

impl Wrr {
    /// A balancer over servers with these weights (indices are server positions),
    /// with a random start.
    pub fn new(weights: &[u32]) -> Wrr {
        Wrr::seeded(weights, fastrand::u64(..))
    }

    /// A balancer whose start (scan rotation, initial deadlines) derives from
    /// `seed`: deterministic, for tests.
    pub fn seeded(weights: &[u32], seed: u64) -> Wrr {
        let mut rng = fastrand::Rng::with_seed(seed);
        let repr = if weights.len() <= SMOOTH_MAX_SERVERS {
            Repr::Smooth(Smooth::new(weights, &mut rng))
        } else {
            Repr::Edf(Edf::new(weights, &mut rng))
        };
        Wrr {
            repr,
            len: weights.len(),
        }
    }

    /// The index of the next server among those `eligible` accepts (for example the
    /// healthy ones), or `None` when none is eligible or all have weight zero.
    ///
    /// `eligible` is read for every server at every pick: O(n). A caller that
    /// knows when eligibility changes uses [`Wrr::next_among_at`] instead, which
    /// keeps large pools at O(log n).
    pub fn next_among(&self, eligible: impl Fn(usize) -> bool) -> Option<usize> {
        match &self.repr {
            Repr::Smooth(smooth) => smooth.next_among(eligible),
            Repr::Edf(edf) => edf.next_among(None, eligible),
        }
    }

    /// As [`Wrr::next_among`], except that large pools read `eligible` only when
    /// `epoch` differs from the previous call's, and keep the answers until then:
    /// the caller changes `epoch` whenever eligibility may have changed. Every
    /// server is taken as eligible at epoch 0. Small pools read `eligible` at every
    /// pick.
    pub fn next_among_at(&self, epoch: u64, eligible: impl Fn(usize) -> bool) -> Option<usize> {
        match &self.repr {
            Repr::Smooth(smooth) => smooth.next_among(eligible),
            Repr::Edf(edf) => edf.next_among(Some(epoch), eligible),
        }
    }

    /// How many servers the balancer knows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the balancer has no server.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

// === impl Smooth ===

impl Smooth {
    fn new(weights: &[u32], rng: &mut fastrand::Rng) -> Smooth {
        let weights: Box<[i64]> = weights.iter().map(|w| i64::from(*w)).collect();
        Smooth {
            scores: Mutex::new(vec![0; weights.len()].into_boxed_slice()),
            start: if weights.is_empty() {
                0
            } else {
                rng.usize(..weights.len())
            },
            weights,
        }
    }

    fn next_among(&self, eligible: impl Fn(usize) -> bool) -> Option<usize> {
        let n = self.weights.len();
        match n {
            0 => return None,
            1 => return (self.weights[0] > 0 && eligible(0)).then_some(0),
            _ => {}
        }
        // A poisoned lock only means another pick panicked mid-update; the scores
        // are still integers, so keep going with them.
        let mut scores = self
            .scores
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut best: Option<usize> = None;
        let mut best_score = i64::MIN;
        let mut total = 0;
        for i in (self.start..n).chain(0..self.start) {
            let weight = self.weights[i];
            if weight == 0 || !eligible(i) {
                continue;
            }
            scores[i] += weight;
            total += weight;
            if scores[i] > best_score {
                best = Some(i);
                best_score = scores[i];
            }
        }
        if let Some(b) = best {
            scores[b] -= total;
        }
        best
    }
}

// === impl Edf ===

impl Edf {
    fn new(weights: &[u32], rng: &mut fastrand::Rng) -> Edf {
        let steps: Box<[u128]> = weights
            .iter()
            .map(|w| if *w == 0 { 0 } else { SCALE / u128::from(*w) })
            .collect();
        // Random first deadlines within one step: first picks spread, in
        // proportion to the weights.
        let heap = steps
            .iter()
            .enumerate()
            .filter(|(_, step)| **step > 0)
            .map(|(i, step)| Reverse((rng.u128(..*step), i)))
            .collect();
        let in_heap = steps.iter().map(|s| *s > 0).collect();
        Edf {
            state: Mutex::new(EdfState {
                heap,
                in_heap,
                eligible: vec![true; steps.len()].into_boxed_slice(),
                now: 0,
                epoch: 0,
            }),
            steps,
        }
    }

    /// `epoch: None` reads eligibility at every call.
    fn next_among(&self, epoch: Option<u64>, eligible: impl Fn(usize) -> bool) -> Option<usize> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let state = &mut *state;
        if epoch.is_none_or(|epoch| epoch != state.epoch) {
            state.epoch = epoch.unwrap_or(state.epoch);
            for (i, step) in self.steps.iter().enumerate() {
                if *step == 0 {
                    continue;
                }
                let now_eligible = eligible(i);
                state.eligible[i] = now_eligible;
                if now_eligible && !state.in_heap[i] {
                    // Back from out of rotation: scheduled like a new server.
                    state.heap.push(Reverse((state.now + step, i)));
                    state.in_heap[i] = true;
                }
            }
        }
        loop {
            let mut top = state.heap.peek_mut()?;
            let Reverse((deadline, i)) = *top;
            if !state.eligible[i] {
                // Leaves the heap until an epoch brings it back.
                std::collections::binary_heap::PeekMut::pop(top);
                state.in_heap[i] = false;
                continue;
            }
            // Re-keys the top in place: one sift down.
            *top = Reverse((deadline + self.steps[i], i));
            drop(top);
            state.now = deadline;
            return Some(i);
        }
    }
}

#[cfg(test)]
mod tests;
