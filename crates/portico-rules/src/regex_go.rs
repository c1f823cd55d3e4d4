//! Go (RE2) regular expressions on top of Rust's `regex`.
//!
//! Traefik compiles rule regexps with Go's `regexp.Compile`. Both engines are RE2-like but
//! differ in syntax corners, so patterns are translated, never passed through:
//!
//! - `{` that does not start a valid `{n}`, `{n,}` or `{n,m}` (n, m ≤ 1000, no leading
//!   zeros) is a literal in Go (Rust rejects it); `}` alone is a literal;
//! - `\d \w \s \b \B` and their negations are ASCII-only in Go (Unicode in Rust);
//! - `\Q...\E` quotes literally; `\123` / `\0` are octal escapes; any ASCII punctuation may
//!   be escaped (`\<` is a literal `<` in Go, a word-start assertion in Rust);
//! - `(?P<name>…)` and `(?<name>…)` name groups (names are checked as Go does, then
//!   dropped), `(?flags)` accepts only `i m s U`, `(?)` is an empty no-op group;
//! - inside `[...]`, `[`, `&&`, `--` and `~~` are plain characters (Rust would read nested
//!   classes and set operations), POSIX classes `[:name:]` must be known;
//! - stacked repetitions (`a**`, `a{2}{3}`) are errors in Go;
//! - look-around and back-references are rejected with a clear message.
//!
//! Matching is unanchored (Go's `MatchString`), like [`regex::Regex::is_match`].

use regex::{Regex, RegexBuilder};

use self::syntax::{parse_escape, parse_repeat, perl_class, push_ranges};

/// A pattern Go would refuse, or that the translated pattern failed to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GoRegexError {
    /// Byte offset in the pattern, when known.
    pub(crate) offset: Option<usize>,
    pub(crate) message: String,
}

/// Matches nothing (what an empty class or a surrogate literal matches in Go).
const NEVER: &str = r"[^\x00-\x{10FFFF}]";

const GO_CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Compiles a Go regular expression.
pub(crate) fn compile(pattern: &str) -> Result<Regex, GoRegexError> {
    let translated = translate(pattern)?;
    RegexBuilder::new(&translated)
        .nest_limit(1000)
        .build()
        .map_err(|e| GoRegexError {
            offset: None,
            message: match e {
                regex::Error::Syntax(text) => {
                    let line = text
                        .lines()
                        .rev()
                        .find(|l| l.starts_with("error:"))
                        .unwrap_or(&text);
                    line.trim_start_matches("error:").trim().to_owned()
                }
                regex::Error::CompiledTooBig(_) => "regular expression is too large".to_owned(),
                other => other.to_string(),
            },
        })
}

/// Go's `regexp.QuoteMeta`.
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Rewrites Go syntax into an equivalent Rust `regex` pattern.
pub(crate) fn translate(pattern: &str) -> Result<String, GoRegexError> {
    let mut t = Translator {
        src: pattern,
        pos: 0,
        out: String::with_capacity(pattern.len() + 16),
        names: Vec::new(),
        prev_repeat: false,
    };
    t.run()?;
    Ok(t.out)
}

struct Translator<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    names: Vec<&'a str>,
    prev_repeat: bool,
}

fn error<T>(offset: usize, message: impl Into<String>) -> Result<T, GoRegexError> {
    Err(GoRegexError {
        offset: Some(offset),
        message: message.into(),
    })
}

// === impl Translator ===

impl<'a> Translator<'a> {
    fn run(&mut self) -> Result<(), GoRegexError> {
        while let Some(c) = self.rest().chars().next() {
            let start = self.pos;
            let mut repeat = false;
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '(' => self.group()?,
                '*' | '+' | '?' => {
                    self.check_nested(start)?;
                    self.pos += 1;
                    self.out.push(c);
                    self.non_greedy();
                    repeat = true;
                }
                '{' => match parse_repeat(self.rest()) {
                    Some(rep) => {
                        let text = &self.src[start..start + rep.len];
                        if !rep.is_valid() {
                            return error(start, format!("invalid repeat count `{text}`"));
                        }
                        self.check_nested(start)?;
                        self.out.push_str(text);
                        self.pos += rep.len;
                        self.non_greedy();
                        repeat = true;
                    }
                    None => {
                        self.out.push_str(r"\{");
                        self.pos += 1;
                    }
                },
                '}' => {
                    self.out.push_str(r"\}");
                    self.pos += 1;
                }
                ')' | '.' | '^' | '$' | '|' => {
                    self.out.push(c);
                    self.pos += 1;
                }
                _ => {
                    self.pos += c.len_utf8();
                    self.literal(u32::from(c));
                }
            }
            self.prev_repeat = repeat;
        }
        Ok(())
    }

    fn check_nested(&self, at: usize) -> Result<(), GoRegexError> {
        if self.prev_repeat {
            return error(at, "invalid nested repetition operator");
        }
        Ok(())
    }

    fn non_greedy(&mut self) {
        if self.rest().starts_with('?') {
            self.out.push('?');
            self.pos += 1;
        }
    }

    fn group(&mut self) -> Result<(), GoRegexError> {
        let start = self.pos;
        let t = self.rest();
        if !t.starts_with("(?") {
            self.out.push('(');
            self.pos += 1;
            return Ok(());
        }
        if t.starts_with("(?=") || t.starts_with("(?!") {
            return error(
                start,
                "look-ahead is not supported by Go regular expressions (RE2)",
            );
        }
        if t.starts_with("(?<=") || t.starts_with("(?<!") {
            return error(
                start,
                "look-behind is not supported by Go regular expressions (RE2)",
            );
        }
        let b = t.as_bytes();
        let with_p = b.len() > 4 && b[2] == b'P' && b[3] == b'<';
        if with_p || (b.len() > 3 && b[2] == b'<') {
            let name_start = if with_p { 4 } else { 3 };
            let Some(end) = t.find('>') else {
                return error(start, "invalid named capture: missing `>`");
            };
            let name = &t[name_start..end];
            if name.is_empty() || !name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric()) {
                return error(start, format!("invalid named capture `{}`", &t[..=end]));
            }
            if self.names.contains(&name) {
                return error(start, format!("duplicate capture group name `{name}`"));
            }
            self.names.push(name);
            self.out.push('(');
            self.pos += end + 1;
            return Ok(());
        }
        // Flags: (?i) (?i-s) (?i:...) (?:...) (?).
        let mut flags: [Option<bool>; 4] = [None; 4];
        let mut positive = true;
        let mut saw_flag = false;
        for (i, c) in t[2..].char_indices() {
            let slot = match c {
                'i' => Some(0),
                'm' => Some(1),
                's' => Some(2),
                'U' => Some(3),
                _ => None,
            };
            if let Some(slot) = slot {
                flags[slot] = Some(positive);
                saw_flag = true;
                continue;
            }
            match c {
                '-' if positive => {
                    positive = false;
                    saw_flag = false;
                }
                ':' | ')' if positive || saw_flag => {
                    let on: String = (0..4)
                        .filter(|&k| flags[k] == Some(true))
                        .map(|k| ['i', 'm', 's', 'U'][k])
                        .collect();
                    let off: String = (0..4)
                        .filter(|&k| flags[k] == Some(false))
                        .map(|k| ['i', 'm', 's', 'U'][k])
                        .collect();
                    let mut spec = on;
                    if !off.is_empty() {
                        spec.push('-');
                        spec.push_str(&off);
                    }
                    match (c, spec.is_empty()) {
                        (':', true) => self.out.push_str("(?:"),
                        (':', false) => self.out.push_str(&format!("(?{spec}:")),
                        (_, true) => {}
                        (_, false) => self.out.push_str(&format!("(?{spec})")),
                    }
                    self.pos += 2 + i + 1;
                    return Ok(());
                }
                _ => break,
            }
        }
        let shown: String = t.chars().take(6).collect();
        error(
            start,
            format!("invalid or unsupported perl syntax `{shown}`"),
        )
    }

    fn escape(&mut self) -> Result<(), GoRegexError> {
        let start = self.pos;
        let Some(c) = self.src[start + 1..].chars().next() else {
            return error(start, "trailing backslash at end of expression");
        };
        match c {
            'A' | 'z' => {
                self.out.push('\\');
                self.out.push(c);
                self.pos += 2;
            }
            'b' | 'B' => {
                self.out
                    .push_str(if c == 'b' { r"(?-u:\b)" } else { r"(?-u:\B)" });
                self.pos += 2;
            }
            'Q' => {
                let body = &self.src[start + 2..];
                let (lit, consumed) = match body.find(r"\E") {
                    Some(i) => (&body[..i], i + 2),
                    None => (body, body.len()),
                };
                for ch in lit.chars() {
                    self.literal(u32::from(ch));
                }
                self.pos = start + 2 + consumed;
            }
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                let ranges = perl_class(c);
                self.out.push('[');
                push_ranges(&mut self.out, &ranges);
                self.out.push(']');
                self.pos += 2;
            }
            'p' | 'P' => {
                let class = self.unicode_class()?;
                self.out.push_str(&class);
            }
            _ => {
                let (value, len) = parse_escape(self.src, start)?;
                self.pos += len;
                self.literal(value);
            }
        }
        Ok(())
    }

    fn class(&mut self) -> Result<(), GoRegexError> {
        let start = self.pos;
        self.pos += 1;
        let negated = self.rest().starts_with('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut first = true;
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return error(start, "missing closing ] in character class");
            }
            if rest.starts_with(']') && !first {
                self.pos += 1;
                break;
            }
            first = false;
            let posix = (rest.len() > 2 && rest.starts_with("[:"))
                .then(|| rest[2..].find(":]"))
                .flatten();
            if let Some(i) = posix {
                let name = &rest[..i + 4];
                let inner = name[2..name.len() - 2].trim_start_matches('^');
                if !POSIX_CLASSES.contains(&inner) || name[2..].matches('^').count() > 1 {
                    return error(self.pos, format!("invalid character class range `{name}`"));
                }
                texts.push(name.to_owned());
                self.pos += name.len();
                continue;
            }
            if rest.starts_with(r"\p") || rest.starts_with(r"\P") {
                let class = self.unicode_class()?;
                texts.push(class);
                continue;
            }
            if let Some(c @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) =
                rest.strip_prefix('\\').and_then(|r| r.chars().next())
            {
                ranges.extend(perl_class(c));
                self.pos += 2;
                continue;
            }
            let range_start = self.pos;
            let lo = self.class_char()?;
            let mut hi = lo;
            let rest = self.rest();
            if rest.len() >= 2 && rest.starts_with('-') && !rest[1..].starts_with(']') {
                self.pos += 1;
                hi = self.class_char()?;
                if hi < lo {
                    return error(
                        range_start,
                        format!(
                            "invalid character class range `{}`",
                            &self.src[range_start..self.pos]
                        ),
                    );
                }
            }
            ranges.push((lo, hi));
        }
        let mut body = String::new();
        push_ranges(&mut body, &ranges);
        for t in &texts {
            body.push_str(t);
        }
        match (body.is_empty(), negated) {
            (true, true) => self.out.push_str("(?s:.)"),
            (true, false) => self.out.push_str(NEVER),
            (false, _) => {
                self.out.push('[');
                if negated {
                    self.out.push('^');
                }
                self.out.push_str(&body);
                self.out.push(']');
            }
        }
        Ok(())
    }

    fn class_char(&mut self) -> Result<u32, GoRegexError> {
        let rest = self.rest();
        if rest.starts_with('\\') {
            let (value, len) = parse_escape(self.src, self.pos)?;
            self.pos += len;
            return Ok(value);
        }
        match rest.chars().next() {
            Some(c) => {
                self.pos += c.len_utf8();
                Ok(u32::from(c))
            }
            None => error(self.pos, "missing closing ] in character class"),
        }
    }

    /// `\pL`, `\p{Greek}`, `\P{^Lu}` at the current position.
    fn unicode_class(&mut self) -> Result<String, GoRegexError> {
        let start = self.pos;
        let mut positive = self.src[start..].starts_with(r"\p");
        let rest = &self.src[start + 2..];
        let (name, len) = match rest.chars().next() {
            Some('{') => match rest.find('}') {
                Some(end) => (&rest[1..end], end + 1),
                None => return error(start, "invalid character class range: missing `}`"),
            },
            Some(c) => (&rest[..c.len_utf8()], c.len_utf8()),
            None => return error(start, "invalid character class range: missing name"),
        };
        let name = match name.strip_prefix('^') {
            Some(n) => {
                positive = !positive;
                n
            }
            None => name,
        };
        let script_like = name.split('_').all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part.chars().all(|c| c.is_ascii_alphabetic())
        });
        let property = if name == "Any" || GO_CATEGORIES.contains(&name) {
            name.to_owned()
        } else if !name.is_empty() && script_like {
            format!("Script={name}")
        } else {
            return error(
                start,
                format!("invalid character class range `\\p{{{name}}}`"),
            );
        };
        self.pos = start + 2 + len;
        Ok(format!(
            "\\{}{{{property}}}",
            if positive { 'p' } else { 'P' }
        ))
    }

    fn literal(&mut self, value: u32) {
        match char::from_u32(value) {
            None => self.out.push_str(NEVER),
            Some(c) if c.is_ascii_alphanumeric() || !c.is_ascii() => self.out.push(c),
            Some(_) => self.out.push_str(&format!("\\x{{{value:X}}}")),
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }
}

mod syntax;

#[cfg(test)]
mod tests;
