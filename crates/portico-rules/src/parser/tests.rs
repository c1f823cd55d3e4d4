use super::{MAX_DEPTH, parse};
use crate::ast::Expr;

/// A compact rendering of the tree: `&(a,b)`, `|(a,b)`, `!a`, `Name[v1,v2]`.
fn show(e: &Expr) -> String {
    match e {
        Expr::And(v) => format!("&({})", v.iter().map(show).collect::<Vec<_>>().join(",")),
        Expr::Or(v) => format!("|({})", v.iter().map(show).collect::<Vec<_>>().join(",")),
        Expr::Not(e) => format!("!{}", show(e)),
        Expr::Call(c) => format!(
            "{}[{}]",
            c.name,
            c.args
                .iter()
                .map(|a| a.value.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn ok(src: &str) -> String {
    show(&parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}")))
}

fn err(src: &str) -> (usize, String) {
    let e = parse(src).unwrap_err();
    (e.position, e.message)
}

#[test]
fn precedence_not_over_and_over_or() {
    assert_eq!(ok("A(`a`) || B(`b`) && C(`c`)"), "|(A[a],&(B[b],C[c]))");
    assert_eq!(ok("!A(`a`) && B(`b`)"), "&(!A[a],B[b])");
    assert_eq!(ok("!(A(`a`) || B(`b`))"), "!|(A[a],B[b])");
    assert_eq!(ok("(A(`a`) || B(`b`)) && C(`c`)"), "&(|(A[a],B[b]),C[c])");
    assert_eq!(ok("A(`a`) && B(`b`) && C(`c`)"), "&(A[a],B[b],C[c])");
    assert_eq!(ok("!!A(`a`)"), "!!A[a]");
}

#[test]
fn arguments_trailing_comma_spread_and_newlines() {
    assert_eq!(ok("H(`a`, \"b\",)"), "H[a,b]");
    assert_eq!(ok("H()"), "H[]");
    assert_eq!(ok("H(\n`a`,\n)"), "H[a]");
    assert_eq!(ok("H(`a`...)"), "H[a]");
    assert_eq!(ok("A(`a`) &&\n  B(`b`)\n"), "&(A[a],B[b])");
    assert_eq!(ok("  A(`a`) /* c */ || B(`b`) // tail"), "|(A[a],B[b])");
    let spans = parse("Host(`a`)").unwrap();
    let Expr::Call(call) = spans else {
        panic!("not a call")
    };
    assert_eq!((call.span.start, call.span.end), (0, 9));
    assert_eq!((call.args[0].span.start, call.args[0].span.end), (5, 8));
}

#[test]
fn syntax_errors_have_positions_and_helpful_messages() {
    assert_eq!(err(""), (0, "empty rule".into()));
    assert_eq!(err("   "), (0, "empty rule".into()));
    assert_eq!(
        err("Host"),
        (0, "`Host` is not a matcher call: write Host(`...`)".into())
    );
    assert_eq!(err("Host(`a`) ||").0, 12);
    assert!(err("Host(`a`) ||").1.starts_with("unexpected end of rule"));
    assert_eq!(
        err("Host(`a`) & Host(`b`)"),
        (10, "unsupported operator `&`: use `&&`".into())
    );
    assert_eq!(
        err("Host(`a`) | Host(`b`)").1,
        "unsupported operator `|`: use `||`"
    );
    assert!(
        err("Host(`a`) == Host(`b`)")
            .1
            .contains("unsupported operator `==`")
    );
    assert_eq!(
        err("Host(`a`) and Host(`b`)").1,
        "`and` is not an operator: use `&&`"
    );
    assert_eq!(
        err("Host(`a`) Path(`/`)").1,
        "missing `&&` or `||` before `Path`"
    );
    assert!(
        err("Host(Path(`/a`))")
            .1
            .starts_with("matchers cannot be nested")
    );
    assert!(err("Host(a)").1.contains("must be a quoted string"));
    assert!(
        err("Host(1)")
            .1
            .contains("argument `1` of Host must be a quoted string")
    );
    assert!(err("Host(`a` `b`)").1.starts_with("missing `,`"));
    assert!(err("Host(,)").1.contains("found `,`"));
    assert!(err("Host(`a`,,)").1.contains("found `,`"));
    assert_eq!(
        err("Host(`a`"),
        (8, "unclosed Host( (opened at byte 0)".into())
    );
    assert_eq!(
        err(" (Host(`a`)"),
        (11, "unclosed `(` (opened at byte 1)".into())
    );
    assert_eq!(err("Host(`a`))").1, "unexpected `)` without a matching `(`");
    assert!(err("Host(`a`...,`b`)").1.contains("`...` can only follow"));
    assert!(err("`a`").1.starts_with("a string must be the argument"));
    assert!(err("&& Host(`a`)").1.contains("missing its left operand"));
    assert!(err("Host(`a`);").1.contains("unexpected `;`"));
    assert!(err("x.Host(`a`)").1.contains("`x` is not a matcher call"));
}

#[test]
fn newline_before_operator_is_an_error_with_a_hint() {
    let (pos, msg) = err("Host(`example.com`)\n&& Path(`/a`)");
    assert_eq!(pos, 20);
    assert!(
        msg.starts_with("a line break before `&&` ends the rule"),
        "{msg}"
    );
    let (pos, msg) = err("(Host(`a`)\n|| Host(`b`))");
    assert_eq!(pos, 11);
    assert!(msg.starts_with("a line break before `||`"), "{msg}");
    assert!(
        err("Host(`a`)\nPath(`b`)")
            .1
            .starts_with("unexpected line break")
    );
    let (pos, msg) = err("Host(`a`\n)");
    assert_eq!(pos, 8);
    assert!(
        msg.starts_with("missing `,` before the line break"),
        "{msg}"
    );
}

#[test]
fn nesting_is_capped() {
    let ok_depth = format!(
        "{}Host(`a`){}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse(&ok_depth).is_ok());
    let deep = format!("{}Host(`a`)", "!".repeat(MAX_DEPTH + 1));
    assert!(err(&deep).1.starts_with("rule nests too deeply"));
    let deep = "(".repeat(100_000);
    assert!(err(&deep).1.starts_with("rule nests too deeply"));
    // Long flat chains are not recursion.
    let long = vec!["A(`a`)"; 50_000].join(" && ");
    assert!(parse(&long).is_ok());
}
