//! Text conversions shared by the lenient visitor: Go-style booleans, numbers,
//! comma lists, section switches.

/// Parses a boolean the way Go's `strconv.ParseBool` does, plus any casing of
/// `true`/`false`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "t" | "T" => Some(true),
        "0" | "f" | "F" => Some(false),
        other if other.eq_ignore_ascii_case("true") => Some(true),
        other if other.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer read from text: signed when it fits, else unsigned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Integer {
    Signed(i64),
    Unsigned(u64),
}

/// Parses a decimal integer (surrounding whitespace allowed).
pub(crate) fn parse_int(text: &str) -> Option<Integer> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(Integer::Signed(n));
    }
    text.parse::<u64>().ok().map(Integer::Unsigned)
}

/// Parses a float (surrounding whitespace allowed).
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

/// Splits Traefik's env/flag list form `a,b,c` into trimmed pieces.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|piece| piece.trim().to_owned())
        .collect()
}

/// What a scalar means where a struct (a section) is expected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Switch {
    /// `true` or empty: the section with all defaults.
    On,
    /// `false`: refused, the key must be left out instead.
    Off,
    /// Anything else: not a switch.
    Other,
}

/// Reads a section switch from text.
pub(crate) fn section_switch(text: &str) -> Switch {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("true") {
        Switch::On
    } else if text.eq_ignore_ascii_case("false") {
        Switch::Off
    } else {
        Switch::Other
    }
}

/// The message for `false` where a section is expected.
pub(crate) const SECTION_OFF: &str =
    "`false` cannot switch a section off; leave the key out to keep it unset";

/// Finds the field `key` names: an exact match, else one equal ignoring ASCII case.
pub(crate) fn canonical_field(fields: &'static [&'static str], key: &str) -> Option<&'static str> {
    fields
        .iter()
        .find(|field| **field == key)
        .or_else(|| fields.iter().find(|field| field.eq_ignore_ascii_case(key)))
        .copied()
}
