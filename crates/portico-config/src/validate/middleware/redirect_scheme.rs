//! `redirectScheme` validation.

use crate::{model::middleware::redirect_scheme::RedirectSchemeSpec, raw::routing::RedirectScheme};

pub(super) fn validate(
    path: &str,
    raw: Option<&RedirectScheme>,
    _provider: &str,
) -> Result<RedirectSchemeSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let scheme = raw.scheme.unwrap_or_default();
    if scheme.is_empty() {
        errors.push(format!("{path}.scheme: you must provide a target scheme"));
    } else if !scheme
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        errors.push(format!("{path}.scheme: invalid scheme {scheme:?}"));
    }
    let port = raw.port.filter(|p| !p.is_empty());
    if let Some(port) = &port
        && !matches!(port.parse::<u16>(), Ok(p) if p > 0)
    {
        errors.push(format!(
            "{path}.port: invalid port {port:?}: expected 1 to 65535"
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RedirectSchemeSpec {
        scheme,
        port,
        permanent: raw.permanent.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_required_and_port_checked() {
        let raw = RedirectScheme {
            scheme: Some("https".into()),
            port: Some("8443".into()),
            permanent: Some(true),
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(spec.port.as_deref(), Some("8443"));
        assert!(spec.permanent);
        assert_eq!(
            validate("m", Some(&RedirectScheme::default()), "file").unwrap_err(),
            ["m.scheme: you must provide a target scheme"]
        );
        let raw = RedirectScheme {
            port: Some("foobar".into()),
            ..raw
        };
        assert_eq!(
            validate("m", Some(&raw), "file").unwrap_err(),
            ["m.port: invalid port \"foobar\": expected 1 to 65535"]
        );
    }
}
