//! `errors`: validated options, and the HTTP status ranges shared with `retry`.

use crate::model::QualifiedName;

/// The validated options of an `errors` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorsSpec {
    /// `status`: the statuses that get an error page.
    pub status: StatusRanges,
    /// `statusRewrites`: the status answered instead of a caught one, first match
    /// wins (keys in byte order, as written).
    pub status_rewrites: Vec<(StatusRanges, u16)>,
    /// `service`, qualified.
    pub service: QualifiedName,
    /// `query`: the path requested from the service, as written (`{status}`,
    /// `{originalStatus}` and `{url}` are replaced per request).
    pub query: Option<String>,
    /// `errorRequestHeaders`: request headers passed to the error service
    /// (lower-case valid names); `None` passes them all, an empty list none.
    pub error_request_headers: Option<Vec<String>>,
}

/// Inclusive HTTP status ranges, such as `["404", "500-599"]` or `"500,502"`.
///
/// # Example
///
/// ```
/// use portico_config::model::middleware::errors::StatusRanges;
///
/// let ranges = StatusRanges::parse(&["404,418".to_owned(), "500-599".to_owned()]).unwrap();
/// assert!(ranges.contains(418) && ranges.contains(503) && !ranges.contains(405));
/// assert!(StatusRanges::parse(&["5xx".to_owned()]).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusRanges(Vec<(u16, u16)>);

impl StatusRanges {
    /// Parses Traefik's status list: each item a code, a `low-high` range, or
    /// several of them separated by commas. Errors name the offending item.
    pub fn parse(items: &[String]) -> Result<StatusRanges, String> {
        let mut out = Vec::new();
        for item in items {
            for part in item.split(',') {
                let part = part.trim();
                let code = |text: &str| {
                    text.trim()
                        .parse::<u16>()
                        .ok()
                        .filter(|c| (100..=999).contains(c))
                        .ok_or_else(|| format!("invalid status code or range {part:?}"))
                };
                let range = match part.split_once('-') {
                    Some((low, high)) => (code(low)?, code(high)?),
                    None => {
                        let c = code(part)?;
                        (c, c)
                    }
                };
                if range.0 > range.1 {
                    return Err(format!("status range {part:?} is empty (low above high)"));
                }
                out.push(range);
            }
        }
        Ok(StatusRanges(out))
    }

    /// The ranges, inclusive.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    /// Whether `status` is in one of the ranges.
    pub fn contains(&self, status: u16) -> bool {
        self.0
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&status))
    }

    /// Whether there are no ranges.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
