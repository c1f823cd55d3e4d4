//! Reading configuration text into the raw models.
//!
//! [`parse_install`] and [`parse_routing`] read a YAML or TOML document;
//! [`install_from_env`](crate::install_from_env) and
//! [`install_from_flags`](crate::install_from_flags) read key/value pairs.
//! All of them go through [`crate::de`] (Traefik's case-insensitive names and
//! lenient scalars) and [`serde_path_to_error`] (key paths), and return a
//! [`ParseError`] naming the source, line, column and key path.
//!
//! Like Traefik, the two file parsers filter the root: the install parser
//! ignores the routing keys `http`, `tcp`, `udp` and `tls`, and the routing
//! parser ignores the install keys, so one file can hold both (Traefik's
//! `combined` files). Any other unknown key is an error.
//!
//! ```
//! use portico_config::{Format, parse_install, parse_routing};
//!
//! let text = "entryPoints:\n  web:\n    address: ':80'\nhttp:\n  routers:\n    app:\n      rule: Host(`a`)\n";
//! let install = parse_install(text, Format::Yaml, "traefik.yml").unwrap();
//! assert_eq!(install.entry_points.unwrap()["web"].address.as_deref(), Some(":80"));
//! let routing = parse_routing(text, Format::Yaml, "traefik.yml").unwrap();
//! assert!(routing.http.unwrap().routers.unwrap().contains_key("app"));
//! ```

mod env;
mod root;

#[cfg(test)]
mod tests;

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::de::{Deserializer, ErrorCapture};
use crate::error::ParseError;
use crate::raw::{InstallConfig, RoutingConfig};

pub use self::env::{install_from_env, install_from_flags};

/// The syntax of a configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// TOML (`.toml`).
    Toml,
}

// === impl Format ===

impl Format {
    /// The format of a file, from its extension (ignoring case).
    ///
    /// ```
    /// use portico_config::Format;
    /// use std::path::Path;
    ///
    /// assert_eq!(Format::from_path(Path::new("traefik.YML")), Some(Format::Yaml));
    /// assert_eq!(Format::from_path(Path::new("dynamic.toml")), Some(Format::Toml));
    /// assert_eq!(Format::from_path(Path::new("traefik.json")), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
            Some(Self::Yaml)
        } else if ext.eq_ignore_ascii_case("toml") {
            Some(Self::Toml)
        } else {
            None
        }
    }
}

/// Parses an install (static) configuration document.
///
/// `source` names the document in errors (usually its path). Root keys of
/// the routing configuration (`http`, `tcp`, `udp`, `tls`) are ignored.
pub fn parse_install(
    text: &str,
    format: Format,
    source: &str,
) -> Result<InstallConfig, ParseError> {
    parse_text::<root::InstallFile>(text, format, source).map(InstallConfig::from)
}

/// Parses a routing (dynamic) configuration document.
///
/// `source` names the document in errors (usually its path). Root keys of
/// the install configuration (`entryPoints`, `providers`, `log`, ...) are
/// ignored; any other unknown root key is an error.
pub fn parse_routing(
    text: &str,
    format: Format,
    source: &str,
) -> Result<RoutingConfig, ParseError> {
    parse_text::<root::RoutingFile>(text, format, source).map(RoutingConfig::from)
}

fn parse_text<T: DeserializeOwned>(
    text: &str,
    format: Format,
    source: &str,
) -> Result<T, ParseError> {
    match format {
        Format::Yaml if text.contains("<<") => parse_yaml_with_merge_keys(text, source),
        Format::Yaml => {
            let capture = ErrorCapture::new();
            let de = Deserializer::with_capture(serde_yaml::Deserializer::from_str(text), &capture);
            serde_path_to_error::deserialize(de).map_err(|err| yaml_error(err, &capture, source))
        }
        Format::Toml => {
            let capture = ErrorCapture::new();
            let de = Deserializer::with_capture(toml::Deserializer::new(text), &capture);
            serde_path_to_error::deserialize(de).map_err(|err| {
                let path = render_path(err.path());
                let inner = err.into_inner();
                let (line, column) = match inner.span() {
                    Some(span) => {
                        let (line, column) = line_column(text, span.start);
                        (Some(line), Some(column))
                    }
                    None => (None, None),
                };
                ParseError {
                    source: source.to_owned(),
                    line,
                    column,
                    path,
                    message: inner.message().trim_end().to_owned(),
                }
            })
        }
    }
}

/// YAML merge keys (`<<: *defaults`), which Traefik's YAML library applies,
/// only work on a loaded document. Errors found after loading have a key path
/// but no line.
fn parse_yaml_with_merge_keys<T: DeserializeOwned>(
    text: &str,
    source: &str,
) -> Result<T, ParseError> {
    let capture = ErrorCapture::new();
    let loaded = serde_yaml::from_str::<serde_yaml::Value>(text).and_then(|mut value| {
        value.apply_merge()?;
        Ok(value)
    });
    let value = loaded.map_err(|err| {
        let location = err.location();
        ParseError {
            source: source.to_owned(),
            line: location.as_ref().map(serde_yaml::Location::line),
            column: location.as_ref().map(serde_yaml::Location::column),
            path: String::new(),
            message: yaml_message(None, &err),
        }
    })?;
    let de = Deserializer::with_capture(value, &capture);
    serde_path_to_error::deserialize(de).map_err(|err| yaml_error(err, &capture, source))
}

fn yaml_error(
    err: serde_path_to_error::Error<serde_yaml::Error>,
    capture: &ErrorCapture,
    source: &str,
) -> ParseError {
    let path = render_path(err.path());
    let inner = err.into_inner();
    let location = inner.location();
    ParseError {
        source: source.to_owned(),
        line: location.as_ref().map(serde_yaml::Location::line),
        column: location.as_ref().map(serde_yaml::Location::column),
        path,
        message: yaml_message(capture.message(), &inner),
    }
}

/// A key path as `a.b[0].c`, empty at the root.
pub(crate) fn render_path(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

/// The first message raised (else serde_yaml's), without the location
/// serde_yaml writes into it: that location is reported on its own.
fn yaml_message(captured: Option<String>, err: &serde_yaml::Error) -> String {
    let text = captured.unwrap_or_else(|| err.to_string());
    match err.location() {
        Some(location) => {
            let at = format!(" at line {} column {}", location.line(), location.column());
            text.replacen(&at, "", 1)
        }
        None => text,
    }
}

/// One-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
