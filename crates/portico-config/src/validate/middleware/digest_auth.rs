//! `digestAuth` validation.

use super::basic_auth::{common, user_entries};
use crate::{model::middleware::digest_auth::DigestAuthSpec, raw::routing::DigestAuth};

pub(super) fn validate(
    path: &str,
    raw: Option<&DigestAuth>,
    _provider: &str,
) -> Result<DigestAuthSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let users = raw.users.unwrap_or_default();
    let users_file = raw.users_file.filter(|f| !f.is_empty());
    let realm = raw
        .realm
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "traefik".to_owned());
    let header_field = raw.header_field.filter(|h| !h.is_empty());
    let mut errors = user_entries(path, &users, 2, "name:realm:hash");
    if users.is_empty() && users_file.is_none() {
        errors.push(format!(
            "{path}.users: a digestAuth middleware needs users or a usersFile"
        ));
    }
    errors.extend(common(path, &realm, header_field.as_deref()));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DigestAuthSpec {
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
    fn entries_need_a_realm() {
        let raw = DigestAuth {
            users: Some(vec!["test:traefik:a2688e031edb4be6a3797f3882655c05".into()]),
            realm: Some("traefik".into()),
            ..DigestAuth::default()
        };
        assert_eq!(validate("m", Some(&raw), "file").unwrap().users.len(), 1);
        let raw = DigestAuth {
            users: Some(vec!["test:a2688e031edb4be6a3797f3882655c05".into()]),
            ..DigestAuth::default()
        };
        assert_eq!(
            validate("m", Some(&raw), "file").unwrap_err(),
            ["m.users[0]: invalid user entry for \"test\": expected name:realm:hash"]
        );
    }
}
