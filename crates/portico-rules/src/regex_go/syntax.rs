//! Small Go regexp syntax pieces: escapes, Perl classes, class ranges, repetitions.

use super::{GoRegexError, error};

/// Parses the escape at `src[at..]` (starting with `\`) as Go's `parseEscape` does,
/// returning the code point and the escape's length in bytes.
pub(super) fn parse_escape(src: &str, at: usize) -> Result<(u32, usize), GoRegexError> {
    let body = &src[at + 1..];
    let Some(c) = body.chars().next() else {
        return error(at, "trailing backslash at end of expression");
    };
    let octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    let bytes = body.as_bytes();
    match c {
        '1'..='7' if !octal(bytes.get(1)) => error(
            at,
            format!("back-references (`\\{c}`) are not supported by Go regular expressions (RE2)"),
        ),
        '0'..='7' => {
            let mut value = 0;
            let mut len = 0;
            while len < 3 && octal(bytes.get(len)) {
                value = value * 8 + u32::from(bytes[len] - b'0');
                len += 1;
            }
            Ok((value, 1 + len))
        }
        'x' => {
            if let Some(hex) = body[1..].strip_prefix('{') {
                let end = hex.find('}');
                let digits = end.map_or(hex, |e| &hex[..e]);
                let value = u32::from_str_radix(digits, 16)
                    .ok()
                    .filter(|v| *v <= 0x10_ffff);
                match (end, value) {
                    (Some(e), Some(v))
                        if e > 0 && digits.bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        Ok((v, 1 + 2 + e + 1))
                    }
                    _ => error(at, "invalid escape sequence `\\x{`"),
                }
            } else {
                let digits = body.get(1..3).unwrap_or("");
                match u32::from_str_radix(digits, 16) {
                    Ok(v) if digits.bytes().all(|b| b.is_ascii_hexdigit()) => Ok((v, 4)),
                    _ => error(at, "invalid escape sequence `\\x`"),
                }
            }
        }
        'a' => Ok((0x07, 2)),
        'f' => Ok((0x0c, 2)),
        'n' => Ok((0x0a, 2)),
        'r' => Ok((0x0d, 2)),
        't' => Ok((0x09, 2)),
        'v' => Ok((0x0b, 2)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((u32::from(c), 2)),
        c => error(at, format!("invalid escape sequence `\\{c}`")),
    }
}

/// Go's ASCII-only Perl classes as code point ranges.
pub(super) fn perl_class(c: char) -> Vec<(u32, u32)> {
    let ranges: &[(u32, u32)] = match c.to_ascii_lowercase() {
        'd' => &[(0x30, 0x39)],
        's' => &[(0x09, 0x0a), (0x0c, 0x0d), (0x20, 0x20)],
        _ => &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
    };
    if c.is_ascii_lowercase() {
        return ranges.to_vec();
    }
    let mut out = Vec::new();
    let mut next = 0;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    out.push((next, 0x10_ffff));
    out
}

/// Appends class ranges as `\x{..}-\x{..}`, leaving out surrogates (no `&str` holds them).
pub(super) fn push_ranges(out: &mut String, ranges: &[(u32, u32)]) {
    for &(lo, hi) in ranges {
        let parts = [(lo, hi.min(0xd7ff)), (lo.max(0xe000), hi)];
        for (a, b) in parts {
            if a > b {
                continue;
            }
            if a == b {
                out.push_str(&format!("\\x{{{a:X}}}"));
            } else {
                out.push_str(&format!("\\x{{{a:X}}}-\\x{{{b:X}}}"));
            }
        }
    }
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` at the start of `s`, or `None` when the
/// text is not a repetition (then `{` is a literal).
pub(super) fn parse_repeat(s: &str) -> Option<Repeat> {
    let b = s.as_bytes();
    let mut i = 1;
    let (min, len) = parse_int(b.get(i..)?)?;
    i += len;
    let max = if b.get(i)? == &b',' {
        i += 1;
        if b.get(i)? == &b'}' {
            Max::Open
        } else {
            let (max, len) = parse_int(&b[i..])?;
            i += len;
            Max::Value(max)
        }
    } else {
        Max::Same
    };
    if b.get(i)? != &b'}' {
        return None;
    }
    Some(Repeat {
        min,
        max,
        len: i + 1,
    })
}

/// A `{…}` repetition as Go's parser reads it.
pub(super) struct Repeat {
    /// `None` when the number is too big.
    min: Option<u32>,
    max: Max,
    /// Length of the `{…}` text in bytes.
    pub(super) len: usize,
}

enum Max {
    /// `{n}`.
    Same,
    /// `{n,}`.
    Open,
    /// `{n,m}`; `None` when `m` is too big.
    Value(Option<u32>),
}

// === impl Repeat ===

impl Repeat {
    /// Go's bounds check: counts up to 1000 and `min <= max`.
    pub(super) fn is_valid(&self) -> bool {
        let Some(min) = self.min.filter(|m| *m <= 1000) else {
            return false;
        };
        match self.max {
            Max::Same | Max::Open => true,
            Max::Value(max) => max.is_some_and(|max| max <= 1000 && min <= max),
        }
    }
}

/// Go's `parseInt`: decimal digits without leading zeros; `Some((None, len))` when the
/// number is too big to be a repeat count.
fn parse_int(b: &[u8]) -> Option<(Option<u32>, usize)> {
    let len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if len == 0 || (len >= 2 && b[0] == b'0') {
        return None;
    }
    let value = std::str::from_utf8(&b[..len])
        .ok()
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|v| *v < 100_000_000);
    Some((value, len))
}
