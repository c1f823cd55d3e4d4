//! `rateLimit` validation, and the `sourceCriterion` checks shared with
//! `inFlightReq`.

use std::time::Duration;

use super::ip_allow_list::ip_strategy;
use crate::{
    model::middleware::rate_limit::{RateLimitSpec, SourceCriterionSpec},
    raw::routing::{RateLimit, SourceCriterion},
};

pub(super) fn validate(
    path: &str,
    raw: Option<&RateLimit>,
    _provider: &str,
) -> Result<RateLimitSpec, Vec<String>> {
    let default = RateLimit::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    if raw.redis.is_some() {
        errors.push(format!(
            "{path}.redis: a Redis-backed rate limit is not supported by this Portico version yet"
        ));
    }
    let average = match raw.average.unwrap_or(0) {
        a if a < 0 => {
            errors.push(format!("{path}.average: must not be negative, found {a}"));
            0
        }
        a => a.unsigned_abs(),
    };
    let period = match &raw.period {
        None => Duration::from_secs(1),
        Some(d) => match d.as_std() {
            None => {
                errors.push(format!(
                    "{path}.period: negative value not valid for period: {d}"
                ));
                Duration::from_secs(1)
            }
            Some(d) if d.is_zero() => Duration::from_secs(1),
            Some(d) => d,
        },
    };
    // Traefik raises a burst below 1 to 1.
    let burst = raw.burst.unwrap_or(1).max(1).unsigned_abs();
    let source_criterion = source_criterion(
        &format!("{path}.sourceCriterion"),
        raw.source_criterion.as_ref(),
        &mut errors,
    )
    .unwrap_or_else(|| SourceCriterionSpec::Ip(Default::default()));
    if errors.is_empty() {
        Ok(RateLimitSpec {
            average,
            period,
            burst,
            source_criterion,
        })
    } else {
        Err(errors)
    }
}

/// `sourceCriterion` with Traefik's precedence (`ipStrategy`, then
/// `requestHeaderName`, then `requestHost`); `None` when none is set.
pub(super) fn source_criterion(
    path: &str,
    raw: Option<&SourceCriterion>,
    errors: &mut Vec<String>,
) -> Option<SourceCriterionSpec> {
    let raw = raw?;
    if let Some(strategy) = &raw.ip_strategy {
        return Some(SourceCriterionSpec::Ip(ip_strategy(
            &format!("{path}.ipStrategy"),
            Some(strategy),
            errors,
        )));
    }
    if let Some(name) = raw.request_header_name.as_deref().filter(|n| !n.is_empty()) {
        return match http::HeaderName::from_bytes(name.as_bytes()) {
            Ok(header) => Some(SourceCriterionSpec::RequestHeader(
                header.as_str().to_owned(),
            )),
            Err(_) => {
                errors.push(format!(
                    "{path}.requestHeaderName: invalid header name {name:?}"
                ));
                None
            }
        };
    }
    raw.request_host
        .unwrap_or(false)
        .then_some(SourceCriterionSpec::RequestHost)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::ip_allow_list::check;
    use crate::model::middleware::{
        MiddlewareSpec,
        ip_allow_list::IpStrategySpec,
        rate_limit::{RateLimitSpec, SourceCriterionSpec},
    };

    fn spec(yaml: &str) -> RateLimitSpec {
        match check(yaml) {
            Ok(MiddlewareSpec::RateLimit(spec)) => spec,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn traefik_defaults() {
        assert_eq!(
            spec("rateLimit: {}"),
            RateLimitSpec {
                average: 0,
                period: Duration::from_secs(1),
                burst: 1,
                source_criterion: SourceCriterionSpec::Ip(IpStrategySpec::default()),
            }
        );
        let s = spec("rateLimit:\n  average: 100\n  period: 1m\n  burst: 0");
        assert_eq!(
            (s.average, s.period, s.burst),
            (100, Duration::from_secs(60), 1)
        );
    }

    #[test]
    fn source_criterion_precedence() {
        let s = spec(
            "rateLimit:\n  average: 1\n  sourceCriterion:\n    requestHeaderName: X-Api-Key\n    requestHost: true",
        );
        assert_eq!(
            s.source_criterion,
            SourceCriterionSpec::RequestHeader("x-api-key".into())
        );
        let s = spec("rateLimit:\n  average: 1\n  sourceCriterion:\n    requestHost: true");
        assert_eq!(s.source_criterion, SourceCriterionSpec::RequestHost);
        let s = spec(
            "rateLimit:\n  average: 1\n  sourceCriterion:\n    ipStrategy:\n      depth: 1\n    requestHost: true",
        );
        assert!(matches!(
            s.source_criterion,
            SourceCriterionSpec::Ip(IpStrategySpec { depth: 1, .. })
        ));
    }

    #[test]
    fn refusals() {
        let errors = check("rateLimit:\n  average: -1\n  period: -1s\n  sourceCriterion:\n    requestHeaderName: \"bad header\"\n  redis:\n    endpoints: [\"127.0.0.1:6379\"]").unwrap_err().join("\n");
        for expected in [
            "rateLimit.average: must not be negative",
            "rateLimit.period: negative value not valid",
            "rateLimit.sourceCriterion.requestHeaderName: invalid header name \"bad header\"",
            "rateLimit.redis: a Redis-backed rate limit is not supported by this Portico version yet",
        ] {
            assert!(joined_contains(&errors, expected), "{errors}");
        }
    }

    fn joined_contains(joined: &str, expected: &str) -> bool {
        joined.contains(expected)
    }
}
