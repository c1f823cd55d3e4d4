//! `basicAuth` validation.

use super::headers::{header_name_error, header_value_error};
use crate::{model::middleware::basic_auth::BasicAuthSpec, raw::routing::BasicAuth};

/// Checks the shape of `users` entries: `colons` separators each, the hash or HA1
/// never echoed.
pub(super) fn user_entries(
    path: &str,
    users: &[String],
    colons: usize,
    shape: &str,
) -> Vec<String> {
    users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.matches(':').count() != colons)
        .map(|(i, u)| {
            let name = u.split(':').next().unwrap_or_default();
            format!("{path}.users[{i}]: invalid user entry for {name:?}: expected {shape}")
        })
        .collect()
}

/// Checks `realm` and `headerField`, shared with `digestAuth`.
pub(super) fn common(path: &str, realm: &str, header_field: Option<&str>) -> Vec<String> {
    let mut errors = Vec::new();
    if realm.contains('"') || header_value_error(realm).is_some() {
        errors.push(format!("{path}.realm: invalid realm {realm:?}"));
    }
    if let Some(e) = header_field.and_then(header_name_error) {
        errors.push(format!("{path}.headerField: {e}"));
    }
    errors
}

pub(super) fn validate(
    path: &str,
    raw: Option<&BasicAuth>,
    _provider: &str,
) -> Result<BasicAuthSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let users = raw.users.unwrap_or_default();
    let users_file = raw.users_file.filter(|f| !f.is_empty());
    let realm = raw
        .realm
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "traefik".to_owned());
    let header_field = raw.header_field.filter(|h| !h.is_empty());
    let mut errors = user_entries(path, &users, 1, "name:hash");
    if users.is_empty() && users_file.is_none() {
        errors.push(format!(
            "{path}.users: a basicAuth middleware needs users or a usersFile"
        ));
    }
    errors.extend(common(path, &realm, header_field.as_deref()));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(BasicAuthSpec {
        users,
        users_file,
        realm,
        remove_header: raw.remove_header.unwrap_or(false),
        header_field,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_required_users() {
        let raw = BasicAuth {
            users: Some(vec!["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/".into()]),
            ..BasicAuth::default()
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(spec.realm, "traefik");
        assert!(!spec.remove_header);
        assert_eq!(
            validate("m", Some(&BasicAuth::default()), "file").unwrap_err(),
            ["m.users: a basicAuth middleware needs users or a usersFile"]
        );
        let file_only = BasicAuth {
            users_file: Some("/etc/users".into()),
            ..BasicAuth::default()
        };
        assert!(validate("m", Some(&file_only), "file").is_ok());
    }

    #[test]
    fn malformed_entries_never_echo_the_hash() {
        let raw = BasicAuth {
            users: Some(vec!["alice:secret:extra".into(), "bob".into()]),
            header_field: Some("X User".into()),
            ..BasicAuth::default()
        };
        let errors = validate("m", Some(&raw), "file").unwrap_err();
        assert_eq!(
            errors,
            [
                "m.users[0]: invalid user entry for \"alice\": expected name:hash",
                "m.users[1]: invalid user entry for \"bob\": expected name:hash",
                "m.headerField: invalid header name \"X User\"",
            ]
        );
        assert!(!errors.iter().any(|e| e.contains("secret")));
    }
}
