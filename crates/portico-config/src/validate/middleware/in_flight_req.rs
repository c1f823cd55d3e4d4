//! `inFlightReq` validation.

use super::rate_limit::source_criterion;
use crate::{
    model::middleware::{in_flight_req::InFlightReqSpec, rate_limit::SourceCriterionSpec},
    raw::routing::InFlightReq,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&InFlightReq>,
    _provider: &str,
) -> Result<InFlightReqSpec, Vec<String>> {
    let default = InFlightReq::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let amount = match raw.amount {
        Some(a) if a > 0 => a.unsigned_abs(),
        Some(a) => {
            errors.push(format!("{path}.amount: must be at least 1, found {a}"));
            1
        }
        None => {
            errors.push(format!(
                "{path}.amount: required (requests allowed at once)"
            ));
            1
        }
    };
    // Traefik's in-flight default is the requested host, not the client IP.
    let source_criterion = source_criterion(
        &format!("{path}.sourceCriterion"),
        raw.source_criterion.as_ref(),
        &mut errors,
    )
    .unwrap_or(SourceCriterionSpec::RequestHost);
    if errors.is_empty() {
        Ok(InFlightReqSpec {
            amount,
            source_criterion,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_allow_list::check;
    use crate::model::middleware::{
        MiddlewareSpec, in_flight_req::InFlightReqSpec, rate_limit::SourceCriterionSpec,
    };

    #[test]
    fn amount_and_default_source() {
        assert_eq!(
            check("inFlightReq:\n  amount: 10"),
            Ok(MiddlewareSpec::InFlightReq(InFlightReqSpec {
                amount: 10,
                source_criterion: SourceCriterionSpec::RequestHost,
            }))
        );
        let errors = check("inFlightReq: {}").unwrap_err();
        assert!(errors[0].starts_with("http.middlewares.m.inFlightReq.amount: required"));
        let errors = check("inFlightReq:\n  amount: 0").unwrap_err();
        assert!(errors[0].contains("amount: must be at least 1, found 0"));
    }
}
