//! When to renew a certificate, and how long to wait between failed attempts.
//!
//! Traefik's rule (`getCertificateRenewDurations`): the expected lifetime in hours
//! picks a renewal period (renew when fewer than that many hours are left) and a
//! check interval:
//!
//! | lifetime | renew when less than | check every |
//! |---|---|---|
//! | ≥ 1 year | 4 months | 1 week |
//! | ≥ 90 days | 30 days | 1 day |
//! | ≥ 30 days | 10 days | 12 hours |
//! | ≥ 6 days | 2 days | 2 hours |
//! | ≥ 1 day | 6 hours | 10 minutes |
//! | less | 20 minutes | 1 minute |
//!
//! The lifetime is `certificatesDuration`, or the certificate's own (not after − not
//! before) when shorter, so that short-lived certificates from a CA profile are not
//! judged by the 90-day default (Traefik's newer releases use the certificate's own
//! lifetime the same way).
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use portico_acme::renewal::decide;
//!
//! let now = SystemTime::now();
//! let hour = Duration::from_secs(3600);
//! // A 90-day certificate issued 70 days ago: 20 days left, less than 30: renew.
//! let issued = now - 70 * 24 * hour;
//! let d = decide(issued, issued + 90 * 24 * hour, now, 2160 * hour);
//! assert!(d.renew);
//! assert_eq!(d.next_check, 24 * hour);
//! ```

use std::time::{Duration, SystemTime};

const HOUR: u64 = 3600;

/// Whether to renew now, and when to look again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenewalDecision {
    /// Renew now.
    pub renew: bool,
    /// Check again after this long.
    pub next_check: Duration,
}

/// Traefik's (renewal period, check interval) for a lifetime of `hours`.
///
/// ```
/// use std::time::Duration;
/// use portico_acme::renewal::renew_durations;
/// assert_eq!(renew_durations(2160), (Duration::from_secs(30 * 24 * 3600), Duration::from_secs(24 * 3600)));
/// assert_eq!(renew_durations(1), (Duration::from_secs(20 * 60), Duration::from_secs(60)));
/// ```
pub fn renew_durations(hours: u64) -> (Duration, Duration) {
    let h = |n: u64| Duration::from_secs(n * HOUR);
    match hours {
        n if n >= 365 * 24 => (h(4 * 30 * 24), h(7 * 24)),
        n if n >= 3 * 30 * 24 => (h(30 * 24), h(24)),
        n if n >= 30 * 24 => (h(10 * 24), h(12)),
        n if n >= 6 * 24 => (h(2 * 24), h(2)),
        n if n >= 24 => (h(6), Duration::from_secs(10 * 60)),
        _ => (Duration::from_secs(20 * 60), Duration::from_secs(60)),
    }
}

/// The decision for a certificate valid from `not_before` to `not_after`, at `now`,
/// for a resolver with `certificates_duration`. See the [module docs](self).
pub fn decide(
    not_before: SystemTime,
    not_after: SystemTime,
    now: SystemTime,
    certificates_duration: Duration,
) -> RenewalDecision {
    let own = not_after
        .duration_since(not_before)
        .map(|d| (d.as_secs() + HOUR / 2) / HOUR)
        .unwrap_or(0);
    let hours = (certificates_duration.as_secs() / HOUR).min(own);
    let (period, interval) = renew_durations(hours);
    RenewalDecision {
        renew: not_after < now + period,
        next_check: interval,
    }
}

/// Exponential backoff between failed attempts: `initial`, doubled each time, capped
/// at `max`. Never zero, so retries never spin.
///
/// ```
/// use std::time::Duration;
/// use portico_acme::Backoff;
/// let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
/// let delays: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
/// assert_eq!(delays, [1, 2, 4, 5, 5]);
/// b.reset();
/// assert_eq!(b.next_delay(), Duration::from_secs(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    current: Duration,
}

// === impl Backoff ===

impl Backoff {
    /// Starts at `initial` (at least 10ms), never exceeds `max` (at least `initial`).
    pub fn new(initial: Duration, max: Duration) -> Self {
        let initial = initial.max(Duration::from_millis(10));
        Backoff {
            initial,
            max: max.max(initial),
            current: initial,
        }
    }

    /// The delay before the next attempt; doubles the following one.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.current;
        self.current = self.current.saturating_mul(2).min(self.max);
        delay
    }

    /// Back to `initial`, after a success.
    pub fn reset(&mut self) {
        self.current = self.initial;
    }
}

impl Default for Backoff {
    /// 30 seconds, doubling up to 1 hour.
    fn default() -> Self {
        Backoff::new(Duration::from_secs(30), Duration::from_secs(3600))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Duration = Duration::from_secs(HOUR);

    #[test]
    fn traefik_table() {
        let cases = [
            (365 * 24, 4 * 30 * 24 * HOUR, 7 * 24 * HOUR),
            (2160, 30 * 24 * HOUR, 24 * HOUR),
            (30 * 24, 10 * 24 * HOUR, 12 * HOUR),
            (6 * 24, 2 * 24 * HOUR, 2 * HOUR),
            (24, 6 * HOUR, 600),
            (23, 1200, 60),
            (0, 1200, 60),
        ];
        for (hours, period, interval) in cases {
            assert_eq!(
                renew_durations(hours),
                (Duration::from_secs(period), Duration::from_secs(interval)),
                "{hours}h"
            );
        }
    }

    #[test]
    fn short_certificates_duration_renews_sooner() {
        let now = SystemTime::UNIX_EPOCH + 1000 * 24 * H;
        // A 90-day certificate with 40 days left: not due by the default...
        let nb = now - 50 * 24 * H;
        let na = nb + 90 * 24 * H;
        assert!(!decide(nb, na, now, 2160 * H).renew);
        // ...nor by a 1-day certificatesDuration (6 hours before the end).
        let d = decide(nb, na, now, 24 * H);
        assert_eq!(
            d,
            RenewalDecision {
                renew: false,
                next_check: Duration::from_secs(600)
            }
        );
        // 5 hours left with certificatesDuration 24h: due.
        assert!(decide(nb, now + 5 * H, now, 24 * H).renew);
    }

    #[test]
    fn the_certificate_lifetime_caps_the_configured_one() {
        let now = SystemTime::UNIX_EPOCH + 1000 * 24 * H;
        // A 10-minute certificate issued just now, default certificatesDuration:
        // judged as < 1 day: renew when less than 20 minutes are left, i.e. now.
        let d = decide(now, now + Duration::from_secs(600), now, 2160 * H);
        assert_eq!(
            d,
            RenewalDecision {
                renew: true,
                next_check: Duration::from_secs(60)
            }
        );
        // A 7-day certificate with 3 days left: 2-day period, not due.
        let nb = now - 4 * 24 * H;
        assert!(!decide(nb, nb + 7 * 24 * H, now, 2160 * H).renew);
    }
}
