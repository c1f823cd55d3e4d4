//! The error every parse function returns.

use std::fmt;

/// Why a configuration could not be read, and where.
///
/// Displays as `{source}:{line}:{column}: {path}: {message}`, leaving out the
/// parts that are not known:
///
/// ```
/// use portico_config::ParseError;
///
/// let err = ParseError {
///     source: "traefik.yml".to_owned(),
///     line: Some(3),
///     column: Some(5),
///     path: "entryPoints.web.adress".to_owned(),
///     message: "unknown field `adress`".to_owned(),
/// };
/// assert_eq!(
///     err.to_string(),
///     "traefik.yml:3:5: entryPoints.web.adress: unknown field `adress`"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What was read: a file name, `environment variable PORTICO_X`, `flag --x`.
    pub source: String,
    /// One-based line of the offending text, when the format reports it.
    pub line: Option<usize>,
    /// One-based column of the offending text, when the format reports it.
    pub column: Option<usize>,
    /// Dotted key path with Portico's canonical key names, such as
    /// `entryPoints.web.address` or `http.services.app.loadBalancer.servers[0].url`;
    /// empty at the root.
    pub path: String,
    /// What is wrong, in lower case.
    pub message: String,
}

// === impl ParseError ===

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(line: Option<usize>, column: Option<usize>, path: &str) -> ParseError {
        ParseError {
            source: "f.toml".to_owned(),
            line,
            column,
            path: path.to_owned(),
            message: "bad".to_owned(),
        }
    }

    #[test]
    fn display_leaves_out_missing_parts() {
        assert_eq!(
            error(Some(1), Some(2), "a.b").to_string(),
            "f.toml:1:2: a.b: bad"
        );
        assert_eq!(error(Some(1), None, "a").to_string(), "f.toml:1: a: bad");
        assert_eq!(error(None, None, "").to_string(), "f.toml: bad");
        assert_eq!(error(None, Some(4), "").to_string(), "f.toml: bad");
    }
}
