//! `addPrefix` validation.

use crate::{model::middleware::add_prefix::AddPrefixSpec, raw::routing::AddPrefix};

pub(super) fn validate(
    path: &str,
    raw: Option<&AddPrefix>,
    _provider: &str,
) -> Result<AddPrefixSpec, Vec<String>> {
    let prefix = raw.and_then(|r| r.prefix.clone()).unwrap_or_default();
    if prefix.is_empty() {
        return Err(vec![format!("{path}.prefix: prefix cannot be empty")]);
    }
    Ok(AddPrefixSpec { prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_required() {
        let raw = AddPrefix {
            prefix: Some("/api".into()),
        };
        assert_eq!(validate("m", Some(&raw), "file").unwrap().prefix, "/api");
        assert_eq!(
            validate("m", Some(&AddPrefix::default()), "file").unwrap_err(),
            ["m.prefix: prefix cannot be empty"]
        );
    }
}
