//! `errors` validation.

use crate::{
    model::{
        QualifiedName,
        middleware::errors::{ErrorsSpec, StatusRanges},
    },
    raw::routing::Errors,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&Errors>,
    provider: &str,
) -> Result<ErrorsSpec, Vec<String>> {
    let default = Errors::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let status = match StatusRanges::parse(raw.status.as_deref().unwrap_or_default()) {
        Ok(ranges) => ranges,
        Err(e) => {
            errors.push(format!("{path}.status: {e}"));
            StatusRanges::default()
        }
    };
    let mut status_rewrites = Vec::new();
    for (key, to) in raw.status_rewrites.iter().flatten() {
        let from = StatusRanges::parse(std::slice::from_ref(key));
        let to_code = u16::try_from(*to).ok().filter(|c| (100..=599).contains(c));
        match (from, to_code) {
            (Ok(from), Some(to)) => status_rewrites.push((from, to)),
            (Err(e), _) => errors.push(format!("{path}.statusRewrites.{key}: {e}")),
            (_, None) => errors.push(format!(
                "{path}.statusRewrites.{key}: invalid HTTP status code {to}"
            )),
        }
    }
    let service = match raw.service.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Some(QualifiedName::resolve(name, provider)),
        _ => {
            errors.push(format!(
                "{path}.service: required (the service serving the error pages)"
            ));
            None
        }
    };
    let query = raw.query.clone().filter(|q| !q.is_empty());
    let error_request_headers = raw.error_request_headers.as_ref().map(|names| {
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match http::HeaderName::from_bytes(name.trim().as_bytes()) {
                Ok(h) => out.push(h.as_str().to_owned()),
                Err(_) => errors.push(format!(
                    "{path}.errorRequestHeaders[{i}]: invalid header name {name:?}"
                )),
            }
        }
        out
    });
    match (service, errors.is_empty()) {
        (Some(service), true) => Ok(ErrorsSpec {
            status,
            status_rewrites,
            service,
            query,
            error_request_headers,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_allow_list::check;
    use crate::model::middleware::MiddlewareSpec;

    #[test]
    fn full_form() {
        let Ok(MiddlewareSpec::Errors(spec)) = check(
            "errors:\n  status: [\"500-599\", \"404,418\"]\n  statusRewrites:\n    \"418\": 404\n    \"502-504\": 500\n  service: pages\n  query: /{status}.html\n  errorRequestHeaders: [Accept]",
        ) else {
            panic!("valid");
        };
        assert!(
            spec.status.contains(503) && spec.status.contains(418) && !spec.status.contains(403)
        );
        assert_eq!(spec.status_rewrites.len(), 2);
        assert_eq!(spec.status_rewrites[0].1, 404);
        assert!(spec.status_rewrites[1].0.contains(503));
        assert_eq!(spec.service.as_str(), "pages@file");
        assert_eq!(spec.query.as_deref(), Some("/{status}.html"));
        assert_eq!(spec.error_request_headers, Some(vec!["accept".to_owned()]));
        let Ok(MiddlewareSpec::Errors(spec)) =
            check("errors:\n  status: [\"500\"]\n  service: pages@docker")
        else {
            panic!("valid");
        };
        assert_eq!(spec.service.as_str(), "pages@docker");
        assert_eq!(spec.error_request_headers, None);
    }

    #[test]
    fn refusals() {
        let joined = check("errors:\n  status: [\"abc\"]\n  statusRewrites:\n    \"500\": 1000")
            .unwrap_err()
            .join("\n");
        assert!(
            joined.contains("errors.status: invalid status code or range \"abc\""),
            "{joined}"
        );
        assert!(
            joined.contains("errors.statusRewrites.500: invalid HTTP status code 1000"),
            "{joined}"
        );
        assert!(joined.contains("errors.service: required"), "{joined}");
    }
}
