//! Traefik durations: Go duration strings (`10s`, `1m30s`) or bare seconds.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration as Traefik reads it (paerser's `types.Duration`).
///
/// Accepted forms:
/// - a Go duration string: a sequence of decimal numbers with an optional
///   fraction and a unit (`ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`), with an
///   optional sign: `10s`, `1m30s`, `100ms`, `1.5h`, `-1s`, `0`;
/// - a bare number, integer or float, meaning seconds: `42` (a YAML/TOML
///   number or the string `"42"`), `1.5`.
///
/// The original text is kept for messages and serialization; equality
/// compares the value (`60s == 1m`). Negative values are allowed (Traefik
/// gives some of them a meaning, such as `flushInterval: -1ms`).
///
/// ```
/// use portico_config::raw::Duration;
///
/// let d: Duration = "1m30s".parse().unwrap();
/// assert_eq!(d.as_millis(), 90_000);
/// assert_eq!(d.as_std(), Some(std::time::Duration::from_secs(90)));
/// assert_eq!(d.text(), "1m30s");
/// assert_eq!("-1s".parse::<Duration>().unwrap().as_std(), None);
/// assert_eq!("42".parse::<Duration>().unwrap().as_millis(), 42_000);
/// ```
#[derive(Clone, Debug)]
pub struct Duration {
    text: String,
    nanos: i64,
}

/// Why a text is not a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{text}`: {reason}")]
pub struct DurationError {
    text: String,
    reason: &'static str,
}

const NANOS_PER_SEC: i128 = 1_000_000_000;

// === impl Duration ===

impl Duration {
    /// Parses a Go duration string or a bare number of seconds.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let nanos = parse_nanos(text.trim()).map_err(|reason| DurationError {
            text: text.to_owned(),
            reason,
        })?;
        Ok(Self {
            text: text.to_owned(),
            nanos,
        })
    }

    /// A whole number of seconds, written as that number.
    pub fn from_secs(secs: i64) -> Self {
        Self {
            text: secs.to_string(),
            nanos: secs.saturating_mul(1_000_000_000),
        }
    }

    /// The text this duration was read from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signed length in nanoseconds.
    pub fn as_nanos(&self) -> i64 {
        self.nanos
    }

    /// The signed length in whole milliseconds (rounded toward zero).
    pub fn as_millis(&self) -> i64 {
        self.nanos / 1_000_000
    }

    /// Whether the duration is below zero.
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The length as a [`std::time::Duration`], or `None` when negative.
    pub fn as_std(&self) -> Option<std::time::Duration> {
        u64::try_from(self.nanos)
            .ok()
            .map(std::time::Duration::from_nanos)
    }
}

impl PartialEq for Duration {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Duration {}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, DurationError> {
        Self::parse(text)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as `10s`, `1m30s` or a number of seconds")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        Duration::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        Duration::parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        Duration::parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
        Duration::parse(&v.to_string()).map_err(E::custom)
    }
}

/// Parses `text` (already trimmed) into signed nanoseconds.
fn parse_nanos(text: &str) -> Result<i64, &'static str> {
    if text.is_empty() {
        return Err("empty value");
    }
    if let Ok(secs) = text.parse::<i64>() {
        return i64::try_from(i128::from(secs) * NANOS_PER_SEC).map_err(|_| "out of range");
    }
    if looks_like_number(text) {
        let secs: f64 = text.parse().map_err(|_| "not a number")?;
        let nanos = secs * 1e9;
        if !nanos.is_finite() || nanos.abs() >= 9.2e18 {
            return Err("out of range");
        }
        return Ok(nanos.round() as i64);
    }
    parse_go(text)
}

/// A bare decimal number (sign, digits, one dot, exponent), no unit.
fn looks_like_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    !body.is_empty()
        && body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// Go's `time.ParseDuration`.
fn parse_go(text: &str) -> Result<i64, &'static str> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err("missing number");
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(after) => {
                let len = after.bytes().take_while(u8::is_ascii_digit).count();
                after.split_at(len)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err("expected a number followed by a unit, such as `10s` or `1m30s`");
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => NANOS_PER_SEC,
            "m" => 60 * NANOS_PER_SEC,
            "h" => 3_600 * NANOS_PER_SEC,
            "" => return Err("missing unit (use ns, us, ms, s, m or h)"),
            _ => return Err("unknown unit (use ns, us, ms, s, m or h)"),
        };
        let int_value: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| "out of range")?
        };
        total = total
            .checked_add(int_value.checked_mul(scale).ok_or("out of range")?)
            .ok_or("out of range")?;
        if !frac_part.is_empty() {
            // Keep 18 digits at most: enough for nanoseconds of hours.
            let digits = &frac_part[..frac_part.len().min(18)];
            let frac: i128 = digits.parse().map_err(|_| "out of range")?;
            let divisor = 10_i128.pow(u32::try_from(digits.len()).map_err(|_| "out of range")?);
            total += frac * scale / divisor;
        }
        if total > i128::from(i64::MAX) + 1 {
            return Err("out of range");
        }
        rest = after;
    }
    let total = if negative { -total } else { total };
    i64::try_from(total).map_err(|_| "out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(text: &str) -> i64 {
        Duration::parse(text).unwrap().as_nanos()
    }

    #[test]
    fn go_duration_strings() {
        assert_eq!(nanos("10s"), 10_000_000_000);
        assert_eq!(nanos("1m30s"), 90_000_000_000);
        assert_eq!(nanos("100ms"), 100_000_000);
        assert_eq!(nanos("1.5h"), 5_400_000_000_000);
        assert_eq!(nanos("0"), 0);
        assert_eq!(nanos("-1s"), -1_000_000_000);
        assert_eq!(nanos("+2m"), 120_000_000_000);
        assert_eq!(nanos(".5s"), 500_000_000);
        assert_eq!(nanos("1h2m3s4ms5us6ns"), 3_723_004_005_006);
        assert_eq!(nanos("3µs"), 3_000);
        assert_eq!(nanos("3μs"), 3_000);
        assert_eq!(nanos("2562047h"), 2_562_047 * 3_600 * 1_000_000_000);
    }

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(nanos("42"), 42_000_000_000);
        assert_eq!(nanos("1.5"), 1_500_000_000);
        assert_eq!(nanos("-3"), -3_000_000_000);
    }

    #[test]
    fn invalid_durations_are_refused() {
        for text in [
            "",
            "s",
            "10x",
            "1.5.5s",
            "ten seconds",
            "1s-",
            "9999999999h",
            "-",
        ] {
            let err = Duration::parse(text).unwrap_err();
            assert!(
                err.to_string().starts_with("invalid duration"),
                "{text}: {err}"
            );
        }
        assert_eq!(
            Duration::parse("10x").unwrap_err().to_string(),
            "invalid duration `10x`: unknown unit (use ns, us, ms, s, m or h)"
        );
    }

    #[test]
    fn conversions() {
        let d = Duration::parse("1500ms").unwrap();
        assert_eq!(d.as_millis(), 1500);
        assert_eq!(d.as_std(), Some(std::time::Duration::from_millis(1500)));
        let neg = Duration::parse("-1ms").unwrap();
        assert!(neg.is_negative());
        assert_eq!(neg.as_millis(), -1);
        assert_eq!(neg.as_std(), None);
        assert_eq!(Duration::from_secs(3).as_millis(), 3000);
    }

    #[test]
    fn equality_compares_values_and_text_is_kept() {
        let a = Duration::parse("60s").unwrap();
        let b = Duration::parse("1m").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.text(), "60s");
        assert_eq!(b.to_string(), "1m");
    }

    #[test]
    fn deserializes_from_strings_and_numbers() {
        let d: Duration = serde_json::from_str("\"42s\"").unwrap();
        assert_eq!(d.as_millis(), 42_000);
        let d: Duration = serde_json::from_str("42").unwrap();
        assert_eq!(d.as_millis(), 42_000);
        let d: Duration = serde_json::from_str("0.25").unwrap();
        assert_eq!(d.as_millis(), 250);
        let err = serde_json::from_str::<Duration>("\"soon\"").unwrap_err();
        assert!(err.to_string().contains("invalid duration `soon`"), "{err}");
    }

    #[test]
    fn serializes_back_to_text_that_parses_the_same() {
        for text in ["10s", "1m30s", "-1s", "42", "1.5", "0"] {
            let d = Duration::parse(text).unwrap();
            let json = serde_json::to_string(&d).unwrap();
            let back: Duration = serde_json::from_str(&json).unwrap();
            assert_eq!(back, d, "{text}");
            assert_eq!(back.text(), text);
        }
        let from_number: Duration = serde_json::from_str("42").unwrap();
        assert_eq!(serde_json::to_string(&from_number).unwrap(), "\"42\"");
    }
}
