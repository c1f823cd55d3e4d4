//! Round-trip metrics over a rolling window, as vulcand/oxy's `memmetrics`:
//! request, network-error (502/504) and per-status counts over 10 one-second
//! buckets, and a latency histogram of 6 sub-histograms rotated every 10s.

use std::{
    collections::{BTreeMap, HashMap},
    time::Duration,
};

use tokio::time::Instant;

const COUNTER_BUCKETS: u64 = 10;
const HISTOGRAM_BUCKETS: usize = 6;
const HISTOGRAM_PERIOD: Duration = Duration::from_secs(10);
/// Sub-buckets per power of two: under 1% error, like HDR's 2 significant figures.
const SUB_BUCKETS: u64 = 128;

/// Every metric the circuit breaker's expression can read.
#[derive(Debug)]
pub(super) struct Metrics {
    origin: Instant,
    total: Counter,
    net_errors: Counter,
    statuses: HashMap<u16, Counter>,
    latency: RollingHistogram,
}

/// A count over the last 10 one-second buckets.
#[derive(Clone, Debug, Default)]
struct Counter {
    /// `(second, count)`, at most [`COUNTER_BUCKETS`] entries.
    buckets: Vec<(u64, u64)>,
}

#[derive(Debug)]
struct RollingHistogram {
    buckets: Vec<BTreeMap<u64, u64>>,
    index: usize,
    last_roll: Option<Instant>,
}

// === impl Metrics ===

impl Metrics {
    pub(super) fn new(now: Instant) -> Metrics {
        Metrics {
            origin: now,
            total: Counter::default(),
            net_errors: Counter::default(),
            statuses: HashMap::new(),
            latency: RollingHistogram {
                buckets: vec![BTreeMap::new(); HISTOGRAM_BUCKETS],
                index: 0,
                last_roll: None,
            },
        }
    }

    fn second(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.origin).as_secs()
    }

    /// Records one response.
    pub(super) fn record(&mut self, status: u16, latency: Duration, now: Instant) {
        let second = self.second(now);
        self.total.inc(second);
        if status == 502 || status == 504 {
            self.net_errors.inc(second);
        }
        self.statuses.entry(status).or_default().inc(second);
        self.latency.record(latency, now);
    }

    /// Forgets everything (when the breaker trips).
    pub(super) fn reset(&mut self) {
        self.total = Counter::default();
        self.net_errors = Counter::default();
        self.statuses.clear();
        for bucket in &mut self.latency.buckets {
            bucket.clear();
        }
        self.latency.index = 0;
    }

    /// Requests in the window (`RequestThreshold()`).
    pub(super) fn total(&self, now: Instant) -> u64 {
        self.total.count(self.second(now))
    }

    /// `NetworkErrorRatio()`: 502 and 504 responses over all.
    pub(super) fn network_error_ratio(&self, now: Instant) -> f64 {
        let second = self.second(now);
        let total = self.total.count(second);
        if total == 0 {
            return 0.0;
        }
        self.net_errors.count(second) as f64 / total as f64
    }

    /// `ResponseCodeRatio(a, b, c, d)`: responses in `[a, b)` over those in `[c, d)`.
    pub(super) fn response_code_ratio(&self, a: f64, b: f64, c: f64, d: f64, now: Instant) -> f64 {
        let second = self.second(now);
        let (mut num, mut den) = (0u64, 0u64);
        for (code, counter) in &self.statuses {
            let code = f64::from(*code);
            let count = counter.count(second);
            if code >= a && code < b {
                num += count;
            }
            if code >= c && code < d {
                den += count;
            }
        }
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    }

    /// `LatencyAtQuantileMS(q)`: whole milliseconds (truncated), 0 without data.
    pub(super) fn latency_at_quantile_ms(&self, quantile: f64) -> u64 {
        self.latency.value_at_quantile(quantile) / 1_000
    }
}

// === impl Counter ===

impl Counter {
    fn inc(&mut self, second: u64) {
        match self.buckets.iter_mut().find(|(s, _)| *s == second) {
            Some((_, count)) => *count += 1,
            None => {
                self.buckets
                    .retain(|(s, _)| s + COUNTER_BUCKETS > second && *s <= second);
                self.buckets.push((second, 1));
            }
        }
    }

    fn count(&self, second: u64) -> u64 {
        self.buckets
            .iter()
            .filter(|(s, _)| s + COUNTER_BUCKETS > second && *s <= second)
            .map(|(_, c)| c)
            .sum()
    }
}

// === impl RollingHistogram ===

impl RollingHistogram {
    fn record(&mut self, latency: Duration, now: Instant) {
        let due = self
            .last_roll
            .is_none_or(|last| now.saturating_duration_since(last) >= HISTOGRAM_PERIOD);
        if due {
            self.index = (self.index + 1) % self.buckets.len();
            self.buckets[self.index].clear();
            self.last_roll = Some(now);
        }
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        *self.buckets[self.index]
            .entry(bucket_of(micros))
            .or_insert(0) += 1;
    }

    /// HDR's `ValueAtQuantile` (quantile in percent) over every sub-histogram.
    fn value_at_quantile(&self, quantile: f64) -> u64 {
        let mut merged: BTreeMap<u64, u64> = BTreeMap::new();
        for bucket in &self.buckets {
            for (index, count) in bucket {
                *merged.entry(*index).or_insert(0) += count;
            }
        }
        let total: u64 = merged.values().sum();
        if total == 0 {
            return 0;
        }
        let q = quantile.clamp(0.0, 100.0);
        let wanted = (((q / 100.0) * total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        for (index, count) in &merged {
            seen += count;
            if seen >= wanted {
                return highest_of(*index);
            }
        }
        merged.keys().next_back().map_or(0, |i| highest_of(*i))
    }
}

/// The bucket of a value in microseconds: exact below 128, then 128 sub-buckets
/// per power of two.
fn bucket_of(value: u64) -> u64 {
    if value < SUB_BUCKETS {
        return value;
    }
    let magnitude = 63 - u64::from(value.leading_zeros());
    let shift = magnitude - 7;
    let mantissa = value >> shift;
    (shift + 1) * SUB_BUCKETS + (mantissa - SUB_BUCKETS)
}

/// The highest value a bucket holds.
fn highest_of(index: u64) -> u64 {
    if index < SUB_BUCKETS {
        return index;
    }
    let shift = index / SUB_BUCKETS - 1;
    let mantissa = index % SUB_BUCKETS + SUB_BUCKETS;
    ((mantissa + 1) << shift) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_one_percent() {
        for v in [
            0u64,
            1,
            127,
            128,
            129,
            1_000,
            12_345,
            999_999,
            3_600_000_000,
        ] {
            let high = highest_of(bucket_of(v));
            assert!(high >= v, "{v} -> {high}");
            assert!((high - v) as f64 <= v as f64 / 100.0 + 1.0, "{v} -> {high}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn ratios_and_window() {
        let start = Instant::now();
        let mut m = Metrics::new(start);
        for status in [200, 200, 502, 504, 500] {
            m.record(status, Duration::from_millis(10), start);
        }
        assert_eq!(m.total(start), 5);
        assert!((m.network_error_ratio(start) - 0.4).abs() < 1e-9);
        assert!((m.response_code_ratio(500.0, 600.0, 0.0, 600.0, start) - 0.6).abs() < 1e-9);
        assert_eq!(
            m.response_code_ratio(500.0, 600.0, 300.0, 400.0, start),
            0.0
        );
        // Ten seconds later the counters have rolled out.
        let later = start + Duration::from_secs(10);
        assert_eq!(m.total(later), 0);
        assert_eq!(m.network_error_ratio(later), 0.0);
        m.reset();
        assert_eq!(m.total(start), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn latency_quantiles() {
        let now = Instant::now();
        let mut m = Metrics::new(now);
        assert_eq!(m.latency_at_quantile_ms(50.0), 0);
        for ms in 1..=100u64 {
            m.record(200, Duration::from_millis(ms), now);
        }
        assert_eq!(m.latency_at_quantile_ms(50.0), 50);
        assert_eq!(m.latency_at_quantile_ms(99.0), 99);
        assert_eq!(m.latency_at_quantile_ms(100.0), 100);
    }
}
