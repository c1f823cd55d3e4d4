//! Hostile input never panics: every rule either parses or fails with a position inside
//! the rule, and rendering the error works.

use portico_rules::{Rule, Syntax};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn check(src: &str) {
    for syntax in [Syntax::V3, Syntax::V2] {
        match Rule::parse(src, syntax) {
            Ok(rule) => {
                assert_eq!(rule.source(), src);
                let _ = rule.hosts();
            }
            Err(e) => {
                assert!(e.position <= src.len(), "{src:?}: {e}");
                assert!(!e.message.is_empty());
                let rendered = e.render(src);
                assert!(rendered.ends_with('^'), "{rendered}");
            }
        }
    }
}

#[test]
fn handpicked_garbage() {
    let cases = [
        "",
        " ",
        "\n",
        "(",
        ")",
        "((",
        "))",
        "!",
        "!!",
        "&&",
        "||",
        "`",
        "\"",
        "'",
        "\\",
        "/*",
        "//",
        "Host(",
        "Host(`",
        "Host(\"",
        "Host(\"\\",
        "Host(\"\\x",
        "Host(\"\\u12",
        "Host)",
        "Host(`a`",
        "Host(`a`,",
        "Host(`a`...",
        "Host(...)",
        "(Host(`a`)",
        "Host(`a`))",
        "Host(`a`) &&",
        "&& Host(`a`)",
        "Host(`a`) ! Host(`b`)",
        "Host(`a`)(`b`)",
        "Host(`a`)[0]",
        "Host.x(`a`)",
        "Host(`a`) ; Host(`b`)",
        "Host(1e9)",
        "Host(0x1F)",
        "Host('a')",
        "Host(`a`\u{0})",
        "\u{feff}Host(`a`)",
        "Host(`a`)\u{feff}",
        "Ĥost(`a`)",
        "Host(`é`)",
        "HostRegexp(`[`)",
        "HostRegexp(`(?P<`)",
        "HostRegexp(`\\`)",
        "PathRegexp(`\\p{`)",
        "PathRegexp(`[[:`)",
        "PathRegexp(`[[:x:]`)",
        "PathRegexp(`a{`)",
        "PathRegexp(`a{1`)",
        "PathRegexp(`a{1,`)",
        "PathRegexp(`(?`)",
        "PathRegexp(`(?P`)",
        "PathRegexp(`\\x{`)",
        "PathRegexp(`\\Q`)",
        "PathRegexp(`[\\`)",
        "PathRegexp(`[a-`)",
        "PathRegexp(`\\0`)",
        "PathRegexp(`\\7`)",
        "PathRegexp(`é{2}`)",
        "PathRegexp(`[é-a]`)",
        "ClientIP(`::ffff:1.2.3.4/200`)",
        "ClientIP(`1.2.3.4/99999999999999999999`)",
        "Query(`%`)",
        "Path(`/{`)",
        "Path(`/{a:`)",
        "HostRegexp(`{a:{b}`)",
        "Headers(`a`)",
        "Query(`a=b`, `c`)",
        "Method(`\u{df}`)",
        "Host(`a`) /* \n */ && Host(`b`)",
        "Host(`a`) // x\n&& Host(`b`)",
    ];
    for case in cases {
        check(case);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    for n in [65, 1_000, 100_000] {
        check(&"(".repeat(n));
        check(&format!("{}Host(`a`){}", "(".repeat(n), ")".repeat(n)));
        check(&format!("{}Host(`a`)", "!".repeat(n)));
        check(&format!("{}Host(`a`)", "!(".repeat(n)));
    }
    let long = vec!["Host(`a`)"; 20_000].join(" || ");
    check(&long);
    let nested_regex = format!("PathRegexp(`{}a{}`)", "(".repeat(5_000), ")".repeat(5_000));
    check(&nested_regex);
}

#[test]
fn random_token_soup() {
    let atoms = [
        "Host",
        "host",
        "HOST",
        "Path",
        "PathPrefix",
        "PathRegexp",
        "HostRegexp",
        "Header",
        "HeaderRegexp",
        "Query",
        "QueryRegexp",
        "Method",
        "ClientIP",
        "Headers",
        "HostHeader",
        "(",
        ")",
        "(",
        ")",
        ",",
        "!",
        "&&",
        "||",
        "&",
        "|",
        " ",
        "\n",
        "\t",
        "`a.com`",
        "`/x`",
        "`(a`",
        "`[`",
        "`{x:[a-z]+}`",
        "`é`",
        "`*.a.com`",
        "`*`",
        "`1.2.3.0/24`",
        "\"\\.\"",
        "\"\\\\.\"",
        "\"x\"",
        "'a'",
        "1",
        "...",
        ";",
        "==",
        "é",
        "🦭",
        "\\",
        "/*",
        "*/",
        "//",
        "`a{2}`",
        "`\\d+`",
        "`(?i)X`",
        "`\\1`",
        "`(?=a)`",
        "``",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = 1 + rng.next() % 12;
        let src: String = (0..len).map(|_| rng.pick(&atoms)).collect();
        check(&src);
    }
}

#[test]
fn random_bytes_as_utf8() {
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let len = (rng.next() % 40) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        check(&String::from_utf8_lossy(&bytes));
        let ascii: String = bytes.iter().map(|b| char::from(b % 128)).collect();
        check(&ascii);
    }
}
