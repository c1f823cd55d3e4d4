//! The error returned when a rule does not parse or compile.

/// A rule that failed to parse or compile, with the byte offset where it went wrong.
///
/// The message is lower case, has no trailing period and names the offending value.
/// [`RuleError::render`] shows the rule line with a caret under the position.
///
/// # Example
///
/// ```
/// use portico_rules::{Rule, Syntax};
///
/// let src = "Host(`a`) & Path(`/`)";
/// let err = Rule::parse(src, Syntax::V3).unwrap_err();
/// assert_eq!(err.position, 10);
/// assert_eq!(err.render(src), "Host(`a`) & Path(`/`)\n          ^");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {position}")]
pub struct RuleError {
    /// Byte offset in the rule string.
    pub position: usize,
    /// What is wrong, lower case, no trailing period.
    pub message: String,
}

// === impl RuleError ===

impl RuleError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }

    /// Renders the line of `rule` that holds [`position`](Self::position) and, below it, a
    /// caret line pointing at that byte (two lines, no trailing newline).
    ///
    /// Tabs before the position are kept in the caret line so the caret stays aligned.
    pub fn render(&self, rule: &str) -> String {
        let mut pos = self.position.min(rule.len());
        while !rule.is_char_boundary(pos) {
            pos -= 1;
        }
        let line_start = rule[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line_end = rule[pos..].find('\n').map_or(rule.len(), |i| pos + i);
        let line = rule[line_start..line_end].trim_end_matches('\r');
        let mut out = String::with_capacity(line.len() * 2 + 2);
        out.push_str(line);
        out.push('\n');
        for c in rule[line_start..pos].chars() {
            out.push(if c == '\t' { '\t' } else { ' ' });
        }
        out.push('^');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::RuleError;

    #[test]
    fn render_points_at_the_byte_on_its_line() {
        let rule = "Host(`a`) &&\n\tPath(`b`) | x";
        let err = RuleError::new(rule.find('|').unwrap(), "unsupported operator `|`");
        assert_eq!(err.render(rule), "\tPath(`b`) | x\n\t          ^");
    }

    #[test]
    fn render_clamps_past_the_end_and_inside_a_char() {
        let err = RuleError::new(99, "x");
        assert_eq!(err.render("ab"), "ab\n  ^");
        let err = RuleError::new(1, "x");
        assert_eq!(err.render("é"), "é\n^");
        assert_eq!(RuleError::new(0, "x").render(""), "\n^");
    }

    #[test]
    fn display_names_the_position() {
        assert_eq!(
            RuleError::new(3, "unknown matcher `w`").to_string(),
            "unknown matcher `w` at byte 3"
        );
    }
}
