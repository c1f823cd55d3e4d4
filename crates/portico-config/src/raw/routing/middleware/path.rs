//! Path and redirection middlewares: addPrefix, stripPrefix,
//! stripPrefixRegex, replacePath, replacePathRegex, redirectRegex,
//! redirectScheme.

use serde::{Deserialize, Serialize};
/// The addPrefix middleware (`dynamic.AddPrefix`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddPrefix {
    /// Prefix added to the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// The stripPrefix middleware (`dynamic.StripPrefix`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StripPrefix {
    /// Prefixes removed from the path (the first that matches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefixes: Option<Vec<String>>,
    /// Deprecated: keep a leading slash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_slash: Option<bool>,
}

/// The stripPrefixRegex middleware (`dynamic.StripPrefixRegex`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StripPrefixRegex {
    /// Regexes of prefixes removed from the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<Vec<String>>,
}

/// The replacePath middleware (`dynamic.ReplacePath`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplacePath {
    /// New path (the old one goes to `X-Replaced-Path`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The replacePathRegex middleware (`dynamic.ReplacePathRegex`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplacePathRegex {
    /// Regex matched against the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Replacement, with `$1`-style groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// The redirectRegex middleware (`dynamic.RedirectRegex`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RedirectRegex {
    /// Regex matched against the request URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Redirect target, with `$1`-style groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Permanent redirection (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanent: Option<bool>,
}

/// The redirectScheme middleware (`dynamic.RedirectScheme`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RedirectScheme {
    /// Target scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Target port (a string in Traefik).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// Permanent redirection (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanent: Option<bool>,
}
