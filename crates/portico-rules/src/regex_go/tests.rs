use super::{compile, quote_meta, translate};

fn matches(pattern: &str, input: &str) -> bool {
    compile(pattern)
        .unwrap_or_else(|e| panic!("{pattern:?} should compile: {}", e.message))
        .is_match(input)
}

fn rejects(pattern: &str) -> String {
    match compile(pattern) {
        Ok(re) => panic!("{pattern:?} should be rejected, got {:?}", re.as_str()),
        Err(e) => e.message,
    }
}

#[test]
fn brace_that_is_not_a_repetition_is_a_literal() {
    assert!(matches("http{secure:s?}", "http{secure:}"));
    assert!(matches("http{secure:s?}", "http{secure:s}"));
    assert!(!matches("http{secure:s?}", "https"));
    assert!(matches("^a{,5}$", "a{,5}"));
    assert!(matches("^x{01}$", "x{01}"), "leading zero: not a count");
    assert!(matches("^{$", "{"));
    assert!(matches("^}$", "}"));
    assert!(matches("^a{2}$", "aa"));
    assert!(matches("^a{2,}$", "aaaa"));
    assert!(matches("^a{1,2}b$", "aab"));
    assert!(!matches("^a{1,2}b$", "aaab"));
    assert!(matches("^a{2}?$", "aa"));
    assert!(matches("^a{1000}$", &"a".repeat(1000)));
}

#[test]
fn repetition_errors_like_go() {
    assert!(rejects("a{1001}").contains("invalid repeat count"));
    assert!(rejects("a{2,1}").contains("invalid repeat count"));
    assert!(rejects("a{1,100000000}").contains("invalid repeat count"));
    assert!(rejects("a**").contains("nested repetition"));
    assert!(rejects("a+*").contains("nested repetition"));
    assert!(rejects("a{2}{3}").contains("nested repetition"));
    assert!(rejects("a*??").contains("nested repetition"));
    assert!(matches("^a*?b$", "aab"));
    assert!(matches("^a??b$", "ab"));
    compile("*a").unwrap_err();
    compile("(+)").unwrap_err();
    compile("a|*").unwrap_err();
}

#[test]
fn perl_classes_and_word_boundaries_are_ascii_only() {
    assert!(matches(r"^\d+$", "0123456789"));
    assert!(
        !matches(r"^\d$", "٣"),
        "Arabic-Indic digit is not \\d in Go"
    );
    assert!(!matches(r"^\w$", "é"));
    assert!(matches(r"^\W$", "é"));
    assert!(!matches(r"^\s$", "\u{a0}"));
    assert!(!matches(r"^\s$", "\u{b}"), "Go's \\s has no vertical tab");
    assert!(matches(r"^\s$", "\u{c}"));
    assert!(matches(r"^[\d\s]+$", "1 2\t3"));
    assert!(matches(r"^[^\d]$", "x"));
    assert!(matches(r"^[\D]$", "é"));
    assert!(
        matches(r"é\b", "éa"),
        "é is not a word char in Go: boundary before a"
    );
    assert!(
        matches(r"a\b", "aé"),
        "é is a non-word char in Go, so a boundary follows a"
    );
    assert!(matches(r"\bfoo\b", "a foo b"));
    assert!(matches(r"a\Bb", "ab"));
}

#[test]
fn quoting_octal_and_punctuation_escapes() {
    assert!(matches(r"^\Qa.b*c\E$", "a.b*c"));
    assert!(!matches(r"^\Qa.b\E$", "axb"));
    assert!(
        matches(r"^\Qa.b$", "a.b$"),
        "\\Q without \\E runs to the end"
    );
    assert!(matches(r"^a\Q\E*$", "aaa"));
    assert!(matches(r"^\<\>$", "<>"), "\\< is a literal in Go");
    assert!(matches(r"^\-\#\&\~\ $", "-#&~ "));
    assert!(matches(r"^\012$", "\n"));
    assert!(matches(r"^\0$", "\0"));
    assert!(matches(r"^\101$", "A"));
    assert!(matches(r"^\x41\x{1F600}$", "A😀"));
    assert!(matches(r"^\a\f\t\v\r\n$", "\u{7}\u{c}\t\u{b}\r\n"));
    assert!(rejects(r"^(a)\1$").contains("back-references"));
    assert!(rejects(r"\8").contains("invalid escape"));
    assert!(rejects(r"\C").contains("invalid escape"));
    assert!(rejects(r"\Z").contains("invalid escape"));
    assert!(rejects(r"\e").contains("invalid escape"));
    assert!(rejects(r"\x{110000}").contains("invalid escape"));
    assert!(rejects(r"\xZ1").contains("invalid escape"));
    assert!(rejects("a\\").contains("trailing backslash"));
}

#[test]
fn groups_names_and_flags() {
    assert!(matches(r"^(?P<id>\d+)$", "42"));
    assert!(matches(r"^(?<id>\d+)$", "42"));
    assert!(matches(r"^(?P<1a>x)$", "x"), "Go accepts digit-first names");
    assert!(rejects(r"(?P<a>x)(?P<a>y)").contains("duplicate"));
    assert!(rejects(r"(?P<>x)").contains("invalid named capture"));
    assert!(rejects(r"(?P<a-b>x)").contains("invalid named capture"));
    assert!(rejects(r"(?=a)").contains("look-ahead"));
    assert!(rejects(r"(?!a)").contains("look-ahead"));
    assert!(rejects(r"(?<=a)").contains("look-behind"));
    assert!(rejects(r"(?<!a)").contains("look-behind"));
    assert!(rejects(r"(?x)a").contains("unsupported perl syntax"));
    assert!(rejects(r"(?-)a").contains("unsupported perl syntax"));
    assert!(rejects(r"(?i-)a").contains("unsupported perl syntax"));
    assert!(rejects(r"(?#c)a").contains("unsupported perl syntax"));
    assert!(rejects(r"(?P=a)").contains("unsupported perl syntax"));
    assert!(matches(r"^a(?)b$", "ab"), "(?) is an empty no-op group");
    assert!(matches(r"(?i)^ABC$", "abc"));
    assert!(matches(r"^(?i:A)b$", "ab"));
    assert!(!matches(r"^(?i:A)b$", "aB"));
    assert!(!matches(r"(?i-i)^A$", "a"));
    assert!(matches(r"(?s)^a.b$", "a\nb"));
    assert!(!matches(r"^a.b$", "a\nb"));
    assert!(matches(r"(?m)^b$", "a\nb"));
    assert!(!matches(r"^b$", "a\nb"));
    assert!(matches(r"(?U)^(a+)", "aaa"));
}

#[test]
fn classes_keep_go_meaning() {
    assert!(matches(r"^[a&&b]+$", "a&b"), "no set intersection in Go");
    assert!(
        rejects(r"[a--b]").contains("invalid character class range"),
        "a..'-' is backwards"
    );
    assert!(matches(r"^[+--]+$", "+,-"), "`+--` is the range '+'..'-'");
    assert!(
        matches(r"^[[a]+$", "[a["),
        "`[` inside a class is a literal"
    );
    assert!(matches(r"^[]a]+$", "]a"));
    assert!(matches(r"^[^]a]$", "b"));
    assert!(matches(r"^[a-]+$", "a-"));
    assert!(matches(r"^[~~]$", "~"));
    assert!(matches(r"^[[:alpha:]]+$", "abc"));
    assert!(matches(r"^[[:^digit:]]+$", "abc"));
    assert!(matches(r"^[\p{Greek}]+$", "αβ"));
    assert!(matches(r"^\p{Greek}+$", "αβ"));
    assert!(matches(r"^\pL+$", "αb"));
    assert!(matches(r"^\p{^L}+$", "12"));
    assert!(matches(r"^\P{^L}+$", "ab"));
    assert!(matches(r"^\p{Any}$", "x"));
    assert!(
        matches(r"^[^a]$", "\n"),
        "negated classes match newline in Go"
    );
    assert!(matches(r"^[\x{D800}-\x{E000}]$", "\u{e000}"));
    assert!(!matches(r"[\x{D800}]", "x"));
    assert!(matches(r"^[^\x{D800}]$", "\n"));
    assert!(rejects(r"[[:foo:]]").contains("invalid character class range"));
    assert!(rejects(r"[z-a]").contains("invalid character class range"));
    assert!(rejects(r"[a").contains("missing closing ]"));
    assert!(rejects(r"[]").contains("missing closing ]"));
    assert!(rejects(r"\p{greek}").contains("invalid character class range"));
    assert!(rejects(r"\p{Nope}").contains("unknown") || !rejects(r"\p{Nope}").is_empty());
    assert!(rejects(r"[\b]").contains("invalid escape"));
}

#[test]
fn anchors_and_unanchored_matching() {
    assert!(matches("b", "abc"));
    assert!(matches(r"\Aab", "abc"));
    assert!(!matches(r"\Abc", "abc"));
    assert!(matches(r"bc\z", "abc"));
    assert!(!matches("^b", "abc"));
    assert!(matches("", "anything"));
    assert!(matches("^$", ""));
}

#[test]
fn translation_leaves_no_rust_only_syntax() {
    assert_eq!(translate(r"\<").unwrap(), r"\x{3C}");
    assert_eq!(translate("a.b").unwrap(), "a.b");
    assert_eq!(translate(r"\d").unwrap(), r"[\x{30}-\x{39}]");
    assert_eq!(translate("(?i)x").unwrap(), "(?i)x");
    assert_eq!(translate("(?:x)").unwrap(), "(?:x)");
    assert_eq!(translate("(?P<n>x)").unwrap(), "(x)");
}

#[test]
fn quote_meta_matches_go() {
    assert_eq!(
        quote_meta(r"a.b+c(d)[e]{f}^$|\?*"),
        r"a\.b\+c\(d\)\[e\]\{f\}\^\$\|\\\?\*"
    );
    assert_eq!(quote_meta("/css-é"), "/css-é");
}
