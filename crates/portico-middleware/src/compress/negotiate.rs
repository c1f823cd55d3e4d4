//! Choosing an encoding from `Accept-Encoding`, as Traefik's
//! `getCompressionEncoding` does.

use super::Encoding;

/// The encoding for these `Accept-Encoding` lines, or `None` for identity.
pub(super) fn choose(
    lines: &[&str],
    encodings: &[Encoding],
    default: Option<Encoding>,
) -> Option<Encoding> {
    // An empty field value means "no content coding" (RFC 9110).
    if lines.len() == 1 && lines[0].trim().is_empty() {
        return None;
    }
    // (priority, weight, choice): `*` first among equals, identity last.
    let mut best: Option<(i64, f64, Option<Encoding>)> = None;
    for line in lines {
        let compact: String = line.chars().filter(|c| *c != ' ' && *c != '\t').collect();
        for item in compact.split(',') {
            let (name, params) = item.split_once(';').unwrap_or((item, ""));
            let name = name.to_ascii_lowercase();
            let (priority, choice) = match name.as_str() {
                "*" => (-1, Some(default.unwrap_or(encodings[0]))),
                "identity" => (encodings.len() as i64, None),
                other => match encodings.iter().position(|e| e.as_str() == other) {
                    Some(i) => (i as i64, Some(encodings[i])),
                    None => continue,
                },
            };
            let weight = match params.strip_prefix("q=") {
                // An unparsable weight counts as 0, as in Traefik.
                Some(q) => q.parse::<f64>().unwrap_or(0.0),
                None => 1.0,
            };
            if weight <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((p, w, _)) => weight > w || (weight == w && priority < p),
            };
            if better {
                best = Some((priority, weight, choice));
            }
        }
    }
    best.and_then(|(_, _, choice)| choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::*;

    const ALL: [Encoding; 3] = [Zstd, Brotli, Gzip];

    fn pick(value: &str) -> Option<Encoding> {
        choose(&[value], &ALL, None)
    }

    #[test]
    fn weights_then_priority() {
        assert_eq!(pick("gzip"), Some(Gzip));
        assert_eq!(pick("gzip, br"), Some(Brotli));
        assert_eq!(pick("gzip, br, zstd"), Some(Zstd));
        assert_eq!(pick("gzip;q=1.0, br;q=0.5"), Some(Gzip));
        assert_eq!(pick("br;q=0.9, zstd;q=0.8, gzip;q=0.95"), Some(Gzip));
        assert_eq!(pick("GZIP, Br"), Some(Brotli));
        assert_eq!(pick("deflate, compress"), None);
        assert_eq!(pick("gzip;q=0"), None);
        assert_eq!(pick("gzip;q=abc"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("identity"), None);
        assert_eq!(pick("identity, gzip;q=0.5"), None);
        assert_eq!(pick("identity;q=0.1, gzip;q=0.5"), Some(Gzip));
    }

    #[test]
    fn wildcard_uses_default_or_first() {
        assert_eq!(pick("*"), Some(Zstd));
        assert_eq!(choose(&["*"], &ALL, Some(Gzip)), Some(Gzip));
        // `*` wins ties, as in Traefik.
        assert_eq!(choose(&["gzip, *"], &ALL, Some(Brotli)), Some(Brotli));
        assert_eq!(pick("*;q=0.1, gzip"), Some(Gzip));
    }

    #[test]
    fn configured_order_breaks_ties() {
        assert_eq!(
            choose(&["zstd, br, gzip"], &[Gzip, Brotli], None),
            Some(Gzip)
        );
        assert_eq!(choose(&["zstd"], &[Gzip, Brotli], None), None);
        assert_eq!(choose(&["gzip", "br"], &[Brotli, Gzip], None), Some(Brotli));
    }
}
