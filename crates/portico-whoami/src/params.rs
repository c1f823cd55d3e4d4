//! Query parameters: Go-style durations, sizes, counts, and the `400` error they produce.

use std::collections::HashMap;
use std::time::Duration;

use axum::{
    extract::Query,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
};

use crate::{MAX_DATA_BYTES, MAX_WAIT};

/// A query parameter or path segment the server will not act on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ParamError {
    #[error("malformed query string {0:?}")]
    Query(String),
    #[error(
        "invalid duration {value:?} for `{param}`: expected a Go duration such as 100ms or 1.5s"
    )]
    Duration { param: &'static str, value: String },
    #[error("duration {value:?} for `{param}` exceeds the maximum of {}s", MAX_WAIT.as_secs())]
    DurationTooLong { param: &'static str, value: String },
    #[error("invalid number {value:?} for `{param}`")]
    Number { param: &'static str, value: String },
    #[error("{value} for `{param}` exceeds the maximum of {max}")]
    TooLarge {
        param: &'static str,
        value: String,
        max: u64,
    },
    #[error("size {0:?} exceeds the maximum of {MAX_DATA_BYTES} bytes (1 GiB)")]
    DataTooLarge(String),
    #[error("unknown unit {0:?}: expected B, KB, MB, GB or TB")]
    Unit(String),
    #[error("status code {0:?} is not a final status code between 200 and 599")]
    Status(String),
    #[error("request body is larger than {0} bytes")]
    BodyTooLarge(usize),
}

/// The query parameters of a request, decoded.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

// === impl ParamError ===

impl IntoResponse for ParamError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, format!("{self}\n")).into_response()
    }
}

// === impl Params ===

impl Params {
    /// Decodes the query string of `uri`.
    pub(crate) fn from_uri(uri: &Uri) -> Result<Self, ParamError> {
        match Query::<HashMap<String, String>>::try_from_uri(uri) {
            Ok(Query(map)) => Ok(Self(map)),
            Err(_) => Err(ParamError::Query(
                uri.query().unwrap_or_default().to_owned(),
            )),
        }
    }

    /// The raw value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The `wait` (or its alias `delay`) duration, at most [`MAX_WAIT`].
    pub(crate) fn wait(&self) -> Result<Option<Duration>, ParamError> {
        match (self.get("wait"), self.get("delay")) {
            (Some(value), _) => self.duration("wait", value).map(Some),
            (None, Some(value)) => self.duration("delay", value).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// The duration `param`, or `default` when absent; at most [`MAX_WAIT`].
    pub(crate) fn duration_or(
        &self,
        param: &'static str,
        default: Duration,
    ) -> Result<Duration, ParamError> {
        match self.get(param) {
            Some(value) => self.duration(param, value),
            None => Ok(default),
        }
    }

    fn duration(&self, param: &'static str, value: &str) -> Result<Duration, ParamError> {
        let duration = parse_duration(value).ok_or_else(|| ParamError::Duration {
            param,
            value: value.to_owned(),
        })?;
        if duration > MAX_WAIT {
            return Err(ParamError::DurationTooLong {
                param,
                value: value.to_owned(),
            });
        }
        Ok(duration)
    }

    /// The unsigned number `param`, or `default` when absent; at most `max`.
    pub(crate) fn number_or(
        &self,
        param: &'static str,
        default: u64,
        max: u64,
    ) -> Result<u64, ParamError> {
        let Some(value) = self.get(param) else {
            return Ok(default);
        };
        let number = value
            .trim()
            .parse::<u64>()
            .map_err(|_| ParamError::Number {
                param,
                value: value.to_owned(),
            })?;
        if number > max {
            return Err(ParamError::TooLarge {
                param,
                value: value.to_owned(),
                max,
            });
        }
        Ok(number)
    }

    /// Whether the boolean `param` is set to a true value (`1`, `t`, `true`, as Go's `ParseBool`).
    pub(crate) fn flag(&self, param: &str) -> bool {
        matches!(
            self.get(param),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True")
        )
    }
}

/// Parses a Go duration: `0`, or one or more `<number><unit>` with units `ns`, `us` (`µs`),
/// `ms`, `s`, `m` and `h`, such as `100ms`, `1.5s` or `1h2m3s`. Negative values are rejected.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.strip_prefix('+').unwrap_or(text);
    if text == "0" {
        return Some(Duration::ZERO);
    }
    if text.is_empty() {
        return None;
    }
    let mut rest = text;
    let mut total_secs = 0.0_f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(number_len);
        if !number.bytes().any(|b| b.is_ascii_digit()) || number.matches('.').count() > 1 {
            return None;
        }
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total_secs += number.parse::<f64>().ok()? * scale;
        rest = tail;
    }
    Duration::try_from_secs_f64(total_secs).ok()
}

/// Parses a byte-size unit (case-insensitive): empty or `B`, `KB`, `MB`, `GB`, `TB`, in
/// powers of 1024 as whoami does.
pub(crate) fn unit_bytes(unit: &str) -> Result<u64, ParamError> {
    match unit.to_ascii_lowercase().as_str() {
        "" | "b" => Ok(1),
        "kb" => Ok(1 << 10),
        "mb" => Ok(1 << 20),
        "gb" => Ok(1 << 30),
        "tb" => Ok(1 << 40),
        _ => Err(ParamError::Unit(unit.to_owned())),
    }
}
