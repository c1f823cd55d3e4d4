//! `basicAuth` (reads `usersFile`).

use std::sync::Arc;

use http::HeaderName;
use portico_config::model::middleware::basic_auth::BasicAuthSpec;
use portico_core::box_http_service;
use portico_middleware::basic_auth::{BasicAuthLayer, parse_users};
use tower::Layer;

use super::{BuildContext, HttpLayer};

/// The entries of `file` (trimmed lines, blank lines and `#` comments skipped),
/// then the inline `users`, as Traefik merges them (a later entry wins).
pub(super) fn entries(users: &[String], file: Option<&str>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("unable to read usersFile {file:?}: {e}"))?;
        out.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        );
    }
    out.extend(users.iter().cloned());
    if out.is_empty() {
        return Err(match file {
            Some(file) => format!("no users defined (usersFile {file:?} has none)"),
            None => "no users defined".to_owned(),
        });
    }
    Ok(out)
}

pub(super) fn build(spec: &BasicAuthSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let entries = entries(&spec.users, spec.users_file.as_deref())?;
    let users = parse_users(&entries).map_err(|e| match &spec.users_file {
        Some(file) => format!("{e} (usersFile {file:?} or users)"),
        None => e.to_string(),
    })?;
    let mut layer = BasicAuthLayer::new(users)
        .realm(&spec.realm)
        .remove_header(spec.remove_header);
    if let Some(field) = &spec.header_field {
        let name = HeaderName::try_from(field.as_str())
            .map_err(|_| format!("invalid headerField {field:?}"))?;
        layer = layer.header_field(name);
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
