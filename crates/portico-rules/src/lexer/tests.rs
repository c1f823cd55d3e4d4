use super::{Tok, tokenize};

fn toks(src: &str) -> Vec<Tok> {
    tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
}

fn err(src: &str) -> (usize, String) {
    let e = tokenize(src).unwrap_err();
    (e.position, e.message)
}

fn s(v: &str, raw: bool) -> Tok {
    Tok::Str {
        value: v.to_owned(),
        raw,
    }
}

#[test]
fn basic_tokens_and_spans() {
    let out = tokenize("Host(`a`) && !Path(\"/b\")").unwrap();
    let kinds: Vec<_> = out.iter().map(|t| t.tok.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            Tok::Ident("Host".into()),
            Tok::LParen,
            s("a", true),
            Tok::RParen,
            Tok::AndAnd,
            Tok::Bang,
            Tok::Ident("Path".into()),
            Tok::LParen,
            s("/b", false),
            Tok::RParen,
            Tok::Eof,
        ]
    );
    assert_eq!((out[2].span.start, out[2].span.end), (5, 8));
    assert_eq!((out[10].span.start, out[10].span.end), (24, 24));
}

#[test]
fn newline_after_call_inserts_a_semicolon_but_not_after_operator() {
    assert!(toks("Host(`a`)\n&& Path(`/`)").contains(&Tok::Semi { auto: true }));
    assert!(!toks("Host(`a`) &&\nPath(`/`)").contains(&Tok::Semi { auto: true }));
    assert!(!toks("Host(\n`a`,\n)").contains(&Tok::Semi { auto: true }));
    assert!(toks("Host(`a`\n)").contains(&Tok::Semi { auto: true }));
    // A block comment holding a newline acts as one; a line comment ends at the newline.
    assert!(toks("Host(`a`) /*\n*/ && Path(`/`)").contains(&Tok::Semi { auto: true }));
    assert!(!toks("Host(`a`) /* c */ && Path(`/`)").contains(&Tok::Semi { auto: true }));
    assert_eq!(
        toks("Host(`a`) // c"),
        toks("Host(`a`)"),
        "a trailing line comment is ignored"
    );
}

#[test]
fn go_string_escapes() {
    assert_eq!(toks(r#""\\.""#)[0], s(r"\.", false));
    assert_eq!(
        toks(r#""a\tb\x41\101\u00e9\U0001F600\"""#)[0],
        s("a\tbAAé😀\"", false)
    );
    assert_eq!(toks("`a\\.\r\nb`")[0], s("a\\.\nb", true));
    assert_eq!(err(r#"Host("\.")"#).0, 6);
    assert!(
        err(r#"Host("\.")"#)
            .1
            .contains("unknown escape sequence `\\.`")
    );
    assert!(err(r#""\'""#).1.contains("unknown escape"));
    assert!(err(r#""\x4""#).1.contains("invalid escape"));
    assert!(err(r#""\400""#).1.contains("out of range"));
    assert!(err(r#""\uD800""#).1.contains("not a valid unicode"));
    assert!(err(r#""\xff""#).1.contains("invalid utf-8"));
    assert_eq!(toks(r#""\xc3\xa9""#)[0], s("é", false));
}

#[test]
fn unterminated_and_illegal_input() {
    assert_eq!(
        err("Host(`a)"),
        (5, "raw string literal not terminated".into())
    );
    assert_eq!(
        err("Host(\"a)"),
        (5, "string literal not terminated".into())
    );
    assert_eq!(err("Host(\"a\n\")").1, "string literal not terminated");
    assert_eq!(err("/* x").1, "comment not terminated");
    assert!(
        err("Host('a')")
            .1
            .starts_with("single quotes are not allowed")
    );
    assert_eq!(
        err("Host(`a`) \u{a0}").1,
        "illegal character U+00A0 `\u{a0}`"
    );
    assert_eq!(err("Host(`a\0`)").1, "illegal character NUL");
    assert_eq!(err("a\u{feff}").1, "illegal byte order mark");
    assert_eq!(toks("\u{feff}a"), vec![Tok::Ident("a".into()), Tok::Eof]);
}

#[test]
fn other_go_operators_are_tokens() {
    assert_eq!(
        toks("a & b == c ... 1.5 ;"),
        vec![
            Tok::Ident("a".into()),
            Tok::Op("&"),
            Tok::Ident("b".into()),
            Tok::Op("=="),
            Tok::Ident("c".into()),
            Tok::Ellipsis,
            Tok::Number("1.5".into()),
            Tok::Semi { auto: false },
            Tok::Eof
        ]
    );
    assert_eq!(toks("!="), vec![Tok::Op("!="), Tok::Eof]);
}
