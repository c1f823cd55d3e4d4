//! `Status` objects: the body of every error answer and of watch `ERROR`
//! events.

use serde_json::{Value, json};

use super::resources::ResourceType;

/// A failed request, answered with a `Status` object and its `code`.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub(super) struct ApiError {
    pub(super) code: u16,
    pub(super) reason: &'static str,
    pub(super) message: String,
}

// === impl ApiError ===

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String) -> Self {
        ApiError {
            code,
            reason,
            message,
        }
    }

    /// 404 for a missing object.
    pub(super) fn not_found(resource: &ResourceType, name: &str) -> Self {
        Self::new(404, "NotFound", format!("{resource} {name:?} not found"))
    }

    /// 404 for a path that names no served resource.
    pub(super) fn no_resource(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource {path:?}"),
        )
    }

    /// 410 for a watch or continue token older than the retained history.
    pub(super) fn expired(message: String) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 400 for a malformed request.
    pub(super) fn bad_request(message: String) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 409 for a write based on an outdated `resourceVersion`.
    pub(super) fn conflict(resource: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {resource} {name:?}: the object has been \
                 modified; please apply your changes to the latest version and try again"
            ),
        )
    }

    /// 409 for a create of an object that exists.
    pub(super) fn already_exists(resource: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{resource} {name:?} already exists"),
        )
    }

    /// 422 for an object the fake cannot store.
    pub(super) fn invalid(message: String) -> Self {
        Self::new(422, "Invalid", message)
    }

    /// 405 for a method the path does not support.
    pub(super) fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow method {method} on this path"),
        )
    }

    /// 415 for a patch type the fake does not implement.
    pub(super) fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format: {content_type:?}"),
        )
    }

    /// The `Status` object.
    pub(super) fn to_status(&self) -> Value {
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        })
    }
}
