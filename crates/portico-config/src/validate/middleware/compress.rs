//! `compress` validation.

use crate::{model::middleware::compress::CompressSpec, raw::routing::Compress};

const ENCODINGS: [&str; 3] = ["zstd", "br", "gzip"];

pub(super) fn validate(
    path: &str,
    raw: Option<&Compress>,
    _provider: &str,
) -> Result<CompressSpec, Vec<String>> {
    let default = Compress::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let excluded = media_types(
        &format!("{path}.excludedContentTypes"),
        raw.excluded_content_types.as_deref().unwrap_or_default(),
        &mut errors,
    );
    let included = media_types(
        &format!("{path}.includedContentTypes"),
        raw.included_content_types.as_deref().unwrap_or_default(),
        &mut errors,
    );
    if !excluded.is_empty() && !included.is_empty() {
        errors.push(format!(
            "{path}: excludedContentTypes and includedContentTypes options are mutually exclusive"
        ));
    }
    let min_response_body_bytes = match raw.min_response_body_bytes {
        Some(n) if n > 0 => n.unsigned_abs(),
        _ => 1024,
    };
    let encodings: Vec<String> = match &raw.encodings {
        None => ENCODINGS.iter().map(|e| (*e).to_owned()).collect(),
        Some(list) => {
            if list.is_empty() {
                errors.push(format!(
                    "{path}.encodings: at least one encoding must be specified"
                ));
            }
            let mut out: Vec<String> = Vec::new();
            for (i, encoding) in list.iter().enumerate() {
                let e = encoding.trim().to_ascii_lowercase();
                if !ENCODINGS.contains(&e.as_str()) {
                    errors.push(format!(
                        "{path}.encodings[{i}]: unsupported encoding {encoding:?} (zstd, br or gzip)"
                    ));
                } else if !out.contains(&e) {
                    out.push(e);
                }
            }
            out
        }
    };
    let default_encoding = match raw.default_encoding.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => {
            let e = e.to_ascii_lowercase();
            if !encodings.contains(&e) {
                errors.push(format!(
                    "{path}.defaultEncoding: unsupported default encoding {e:?} (not in encodings)"
                ));
            }
            Some(e)
        }
    };
    if errors.is_empty() {
        Ok(CompressSpec {
            excluded_content_types: excluded,
            included_content_types: included,
            min_response_body_bytes,
            encodings,
            default_encoding,
        })
    } else {
        Err(errors)
    }
}

/// Media types as lower-case `type/subtype`, parameters dropped (Traefik keeps
/// only the media type of these options).
fn media_types(path: &str, items: &[String], errors: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let essence = item.split(';').next().unwrap_or_default().trim();
        let valid = essence.split_once('/').is_some_and(|(t, s)| {
            let token = |x: &str| {
                !x.is_empty()
                    && x.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+*".contains(&b))
            };
            token(t) && token(s)
        });
        if valid {
            out.push(essence.to_ascii_lowercase());
        } else {
            errors.push(format!("{path}[{i}]: invalid media type {item:?}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ip_allow_list::check;
    use crate::model::middleware::{MiddlewareSpec, compress::CompressSpec};

    #[test]
    fn traefik_defaults() {
        assert_eq!(
            check("compress: {}"),
            Ok(MiddlewareSpec::Compress(CompressSpec {
                excluded_content_types: vec![],
                included_content_types: vec![],
                min_response_body_bytes: 1024,
                encodings: vec!["zstd".into(), "br".into(), "gzip".into()],
                default_encoding: None,
            }))
        );
        let Ok(MiddlewareSpec::Compress(spec)) = check(
            "compress:\n  excludedContentTypes: [\"Text/Event-Stream; charset=utf-8\"]\n  minResponseBodyBytes: 200\n  encodings: [gzip, br]\n  defaultEncoding: gzip",
        ) else {
            panic!("valid");
        };
        assert_eq!(spec.excluded_content_types, vec!["text/event-stream"]);
        assert_eq!(spec.min_response_body_bytes, 200);
        assert_eq!(spec.encodings, vec!["gzip", "br"]);
        assert_eq!(spec.default_encoding.as_deref(), Some("gzip"));
    }

    #[test]
    fn refusals() {
        let joined = |yaml: &str| check(yaml).unwrap_err().join("\n");
        assert!(
            joined(
                "compress:\n  excludedContentTypes: [text/html]\n  includedContentTypes: [text/css]"
            )
            .contains("mutually exclusive")
        );
        assert!(
            joined("compress:\n  encodings: [deflate]")
                .contains("compress.encodings[0]: unsupported encoding \"deflate\"")
        );
        assert!(joined("compress:\n  encodings: []").contains("at least one encoding"));
        assert!(
            joined("compress:\n  encodings: [gzip]\n  defaultEncoding: br")
                .contains("compress.defaultEncoding: unsupported default encoding")
        );
        assert!(
            joined("compress:\n  includedContentTypes: [html]")
                .contains("includedContentTypes[0]: invalid media type \"html\"")
        );
    }
}
