//! `replacePath` validation.

use crate::{model::middleware::replace_path::ReplacePathSpec, raw::routing::ReplacePath};

pub(super) fn validate(
    _path: &str,
    raw: Option<&ReplacePath>,
    _provider: &str,
) -> Result<ReplacePathSpec, Vec<String>> {
    Ok(ReplacePathSpec {
        path: raw.and_then(|r| r.path.clone()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_kept() {
        let raw = ReplacePath {
            path: Some("/foo".into()),
        };
        assert_eq!(validate("m", Some(&raw), "file").unwrap().path, "/foo");
    }
}
