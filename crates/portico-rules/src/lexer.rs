//! Tokens of the rule language, following Go's scanner.
//!
//! Traefik hands the rule to Go's `go/parser.ParseExpr`, so the lexical rules are Go's:
//! string literals are Go literals (`` `raw` `` or `"interpreted"` with Go escapes), `//` and
//! `/* */` comments are allowed, and a newline after an identifier, a literal or `)` inserts
//! a semicolon (which is why a newline *before* `&&` breaks a rule).

use crate::ast::Span;
use crate::error::RuleError;

/// A token kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    Str {
        value: String,
        raw: bool,
    },
    LParen,
    RParen,
    Comma,
    AndAnd,
    OrOr,
    Bang,
    Ellipsis,
    /// `;` as written, or inserted at a newline (`auto`).
    Semi {
        auto: bool,
    },
    /// A number literal (never valid in a rule).
    Number(String),
    /// Any other Go operator or delimiter (never valid in a rule).
    Op(&'static str),
    Eof,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Span,
}

/// Go operators that are not part of the rule language, longest first.
const OTHER_OPS: &[&str] = &[
    "<<=", ">>=", "&^=", "&^", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=",
    "/=", "%=", "&=", "|=", "^=", "<<", ">>", "+", "-", "*", "/", "%", "&", "|", "^", "<", ">",
    "=", ":", ".", "[", "]", "{", "}", "~",
];

/// Splits a rule into tokens, ending with [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, RuleError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        insert_semi: false,
        out: Vec::new(),
    };
    if src.starts_with('\u{feff}') {
        lexer.pos = '\u{feff}'.len_utf8();
    }
    lexer.run()?;
    Ok(lexer.out)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    insert_semi: bool,
    out: Vec<Token>,
}

// === impl Lexer ===

impl Lexer<'_> {
    fn run(&mut self) -> Result<(), RuleError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                ' ' | '\t' | '\r' => self.pos += 1,
                '\n' => {
                    self.pos += 1;
                    if self.insert_semi {
                        self.push(Tok::Semi { auto: true }, start, start + 1);
                    }
                }
                '/' if self.rest().starts_with("//") => {
                    let end = self
                        .rest()
                        .find('\n')
                        .map_or(self.src.len(), |i| self.pos + i);
                    self.pos = end;
                }
                '/' if self.rest().starts_with("/*") => {
                    let Some(len) = self.rest()[2..].find("*/") else {
                        return Err(RuleError::new(start, "comment not terminated"));
                    };
                    let has_newline = self.rest()[..len + 4].contains('\n');
                    self.pos += len + 4;
                    if self.insert_semi && has_newline {
                        self.push(Tok::Semi { auto: true }, start, self.pos);
                    }
                }
                '`' => self.raw_string()?,
                '"' => self.interpreted_string()?,
                '\'' => {
                    return Err(RuleError::new(
                        start,
                        "single quotes are not allowed: quote values with backticks (`) or double quotes (\")",
                    ));
                }
                '\0' => return Err(RuleError::new(start, "illegal character NUL")),
                '\u{feff}' => return Err(RuleError::new(start, "illegal byte order mark")),
                c if c.is_alphabetic() || c == '_' => {
                    let end = self.scan_while(|c| c.is_alphanumeric() || c == '_');
                    let name = self.src[start..end].to_owned();
                    self.push(Tok::Ident(name), start, end);
                }
                c if c.is_ascii_digit()
                    || (c == '.' && self.rest()[1..].starts_with(|c: char| c.is_ascii_digit())) =>
                {
                    let end = self.scan_while(|c| c.is_alphanumeric() || c == '_' || c == '.');
                    let text = self.src[start..end].to_owned();
                    self.push(Tok::Number(text), start, end);
                }
                _ => self.operator(c)?,
            }
        }
        let end = self.src.len();
        self.push(Tok::Eof, end, end);
        Ok(())
    }

    fn operator(&mut self, c: char) -> Result<(), RuleError> {
        let start = self.pos;
        let rest = self.rest();
        let fixed = [
            ("...", Tok::Ellipsis),
            ("&&", Tok::AndAnd),
            ("||", Tok::OrOr),
            ("(", Tok::LParen),
            (")", Tok::RParen),
            (",", Tok::Comma),
            (";", Tok::Semi { auto: false }),
        ];
        if let Some((text, tok)) = fixed.into_iter().find(|(t, _)| rest.starts_with(t)) {
            self.push(tok, start, start + text.len());
            return Ok(());
        }
        if let Some(op) = OTHER_OPS.iter().find(|op| rest.starts_with(**op)) {
            self.push(Tok::Op(op), start, start + op.len());
            return Ok(());
        }
        if c == '!' {
            self.push(Tok::Bang, start, start + 1);
            return Ok(());
        }
        Err(RuleError::new(
            start,
            format!("illegal character U+{:04X} `{c}`", u32::from(c)),
        ))
    }

    fn raw_string(&mut self) -> Result<(), RuleError> {
        let start = self.pos;
        let Some(len) = self.rest()[1..].find('`') else {
            return Err(RuleError::new(start, "raw string literal not terminated"));
        };
        let body = &self.src[start + 1..start + 1 + len];
        if let Some(i) = body.find('\0') {
            return Err(RuleError::new(start + 1 + i, "illegal character NUL"));
        }
        // Go drops carriage returns from raw string literals.
        let value = body.replace('\r', "");
        self.pos = start + len + 2;
        self.push(Tok::Str { value, raw: true }, start, self.pos);
        Ok(())
    }

    fn interpreted_string(&mut self) -> Result<(), RuleError> {
        let start = self.pos;
        let mut bytes = Vec::new();
        let mut chars = self.src[start + 1..].char_indices();
        loop {
            let Some((i, c)) = chars.next() else {
                return Err(RuleError::new(start, "string literal not terminated"));
            };
            let at = start + 1 + i;
            match c {
                '"' => {
                    self.pos = at + 1;
                    break;
                }
                '\n' => return Err(RuleError::new(start, "string literal not terminated")),
                '\0' => return Err(RuleError::new(at, "illegal character NUL")),
                '\\' => {
                    let (len, decoded) = unescape(&self.src[at..], at)?;
                    match decoded {
                        Decoded::Byte(b) => bytes.push(b),
                        Decoded::Char(c) => {
                            bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes())
                        }
                    }
                    // Skip the rest of the escape (the backslash was consumed above).
                    for _ in 1..len {
                        chars.next();
                    }
                }
                c => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        let value = String::from_utf8(bytes).map_err(|_| {
            RuleError::new(
                start,
                "string escapes produce invalid utf-8: write the characters themselves",
            )
        })?;
        self.push(Tok::Str { value, raw: false }, start, self.pos);
        Ok(())
    }

    fn push(&mut self, tok: Tok, start: usize, end: usize) {
        self.insert_semi = matches!(
            tok,
            Tok::Ident(_)
                | Tok::Str { .. }
                | Tok::Number(_)
                | Tok::RParen
                | Tok::Op("]" | "}" | "++" | "--")
        );
        self.pos = self.pos.max(end);
        self.out.push(Token {
            tok,
            span: Span { start, end },
        });
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn scan_while(&self, keep: impl Fn(char) -> bool) -> usize {
        self.rest()
            .char_indices()
            .find(|&(_, c)| !keep(c))
            .map_or(self.src.len(), |(i, _)| self.pos + i)
    }
}

enum Decoded {
    Byte(u8),
    Char(char),
}

/// Decodes one Go escape sequence at the start of `s` (which starts with `\`), returning
/// how many chars it spans.
fn unescape(s: &str, at: usize) -> Result<(usize, Decoded), RuleError> {
    let mut chars = s.chars().skip(1);
    let Some(c) = chars.next() else {
        return Err(RuleError::new(at, "string literal not terminated"));
    };
    let simple = match c {
        'a' => Some(0x07),
        'b' => Some(0x08),
        'f' => Some(0x0c),
        'n' => Some(b'\n'),
        'r' => Some(b'\r'),
        't' => Some(b'\t'),
        'v' => Some(0x0b),
        '\\' => Some(b'\\'),
        '"' => Some(b'"'),
        _ => None,
    };
    if let Some(b) = simple {
        return Ok((2, Decoded::Byte(b)));
    }
    let (digits, radix, max) = match c {
        '0'..='7' => (3, 8, 255),
        'x' => (2, 16, 255),
        'u' => (4, 16, 0x10_ffff),
        'U' => (8, 16, 0x10_ffff),
        _ => {
            let hint = if c == '\'' {
                String::new()
            } else {
                format!(": write `\\\\{c}` or use backticks")
            };
            return Err(RuleError::new(
                at,
                format!("unknown escape sequence `\\{c}` in a double-quoted string{hint}"),
            ));
        }
    };
    let text: String = if c.is_ascii_digit() {
        std::iter::once(c).chain(chars.take(digits - 1)).collect()
    } else {
        chars.take(digits).collect()
    };
    let value = (text.len() == digits && text.chars().all(|d| d.is_digit(radix)))
        .then(|| u32::from_str_radix(&text, radix).ok())
        .flatten()
        .ok_or_else(|| RuleError::new(at, format!("invalid escape sequence `\\{c}{text}`")))?;
    if value > max {
        return Err(RuleError::new(
            at,
            format!("escape sequence `\\{c}{text}` is out of range"),
        ));
    }
    let len = if c.is_ascii_digit() {
        digits + 1
    } else {
        digits + 2
    };
    if matches!(c, 'u' | 'U') {
        let ch = char::from_u32(value).ok_or_else(|| {
            RuleError::new(
                at,
                format!("escape sequence `\\{c}{text}` is not a valid unicode code point"),
            )
        })?;
        return Ok((len, Decoded::Char(ch)));
    }
    // Octal and \x escapes are single bytes, as in Go.
    Ok((len, Decoded::Byte(value as u8)))
}

#[cfg(test)]
mod tests;
