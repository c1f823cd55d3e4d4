//! `basicAuth`: validated options.

/// The validated options of a `basicAuth` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuthSpec {
    /// `name:hash` entries, as written.
    pub users: Vec<String>,
    /// A file of more entries, read when the middleware is built.
    pub users_file: Option<String>,
    /// The challenge's realm (default `traefik`).
    pub realm: String,
    /// Remove `Authorization` before forwarding (default false).
    pub remove_header: bool,
    /// The request header receiving the user's name.
    pub header_field: Option<String>,
}

impl Default for BasicAuthSpec {
    fn default() -> Self {
        BasicAuthSpec {
            users: Vec::new(),
            users_file: None,
            realm: "traefik".to_owned(),
            remove_header: false,
            header_field: None,
        }
    }
}
