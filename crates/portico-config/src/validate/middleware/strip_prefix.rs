//! `stripPrefix` validation.

use crate::{model::middleware::strip_prefix::StripPrefixSpec, raw::routing::StripPrefix};

pub(super) fn validate(
    _path: &str,
    raw: Option<&StripPrefix>,
    _provider: &str,
) -> Result<StripPrefixSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    Ok(StripPrefixSpec {
        prefixes: raw.prefixes.unwrap_or_default(),
        force_slash: raw.force_slash.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let spec = validate("m", Some(&StripPrefix::default()), "file").unwrap();
        assert_eq!(spec, StripPrefixSpec::default());
        let raw = StripPrefix {
            prefixes: Some(vec!["/a".into(), "/b".into()]),
            force_slash: Some(true),
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(spec.prefixes, ["/a", "/b"]);
        assert!(spec.force_slash);
    }
}
