//! `digestAuth` (reads `usersFile`; nonces are kept per router).

use std::sync::Arc;

use http::HeaderName;
use portico_config::model::middleware::digest_auth::DigestAuthSpec;
use portico_core::box_http_service;
use portico_middleware::digest_auth::{DigestAuthLayer, parse_digest_users};
use tower::Layer;

use super::{BuildContext, HttpLayer, basic_auth::entries};

pub(super) fn build(spec: &DigestAuthSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let entries = entries(&spec.users, spec.users_file.as_deref())?;
    let users = parse_digest_users(&entries).map_err(|e| match &spec.users_file {
        Some(file) => format!("{e} (usersFile {file:?} or users)"),
        None => e.to_string(),
    })?;
    let mut layer = DigestAuthLayer::new(users)
        .realm(&spec.realm)
        .remove_header(spec.remove_header);
    if let Some(field) = &spec.header_field {
        let name = HeaderName::try_from(field.as_str())
            .map_err(|_| format!("invalid headerField {field:?}"))?;
        layer = layer.header_field(name);
    }
    // `Layer::layer` gives each router its own nonces.
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
