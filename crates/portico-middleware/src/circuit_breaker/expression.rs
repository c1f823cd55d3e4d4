//! The small predicate language of Traefik's `circuitBreaker.expression` and
//! `buffering.retryExpression` (vulcand/predicate): metric calls compared with
//! numbers, boolean calls, `&&`, `||` (`&&` binds tighter) and parentheses.
//!
//! ```text
//! expr       := and ( "||" and )*
//! and        := primary ( "&&" primary )*
//! primary    := "(" expr ")" | call [ op number ]
//! call       := Name "(" [ number ( "," number )* ] ")"
//! op         := "==" | "!=" | "<" | "<=" | ">" | ">="
//! ```
//!
//! A numeric call must be compared; a boolean call (such as `IsNetworkError()`)
//! must not. Numbers are compared as floating point, so `NetworkErrorRatio() > 1`
//! and `LatencyAtQuantileMS(50) > 100.0` are accepted (Traefik insists on the
//! literal's type; a superset is harmless).

use std::fmt;

/// What a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A number, compared with a literal.
    Number,
    /// A condition, used alone.
    Bool,
}

/// A function the language knows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Function {
    /// Its name, as written (case-sensitive, as in Traefik).
    pub(crate) name: &'static str,
    /// How many numeric arguments it takes.
    pub(crate) args: usize,
    /// What it returns.
    pub(crate) kind: Kind,
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare { call: Call, op: Op, value: f64 },
    Test(Call),
}

/// A function call: the function's index in the language's table and its
/// arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Call {
    pub(crate) function: usize,
    pub(crate) args: Vec<f64>,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What a call evaluates to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value {
    Number(f64),
    Bool(bool),
}

/// Why an expression does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid expression {text:?} at byte {position}: {message}")]
pub struct ExpressionError {
    text: String,
    position: usize,
    message: String,
}

// === impl Expr ===

impl Expr {
    /// Parses `text` over the `functions` of a language.
    pub(crate) fn parse(text: &str, functions: &[Function]) -> Result<Expr, ExpressionError> {
        let mut parser = Parser {
            text,
            pos: 0,
            functions,
        };
        let expr = parser.or()?;
        parser.skip_space();
        if parser.pos < text.len() {
            return Err(parser.error(format!("unexpected {:?}", parser.rest_token())));
        }
        Ok(expr)
    }

    /// Evaluates with `value` giving each call's result (`&&` and `||` short-cut).
    pub(crate) fn eval(&self, value: &mut impl FnMut(&Call) -> Value) -> bool {
        match self {
            Expr::And(a, b) => a.eval(value) && b.eval(value),
            Expr::Or(a, b) => a.eval(value) || b.eval(value),
            Expr::Test(call) => matches!(value(call), Value::Bool(true)),
            Expr::Compare {
                call,
                op,
                value: rhs,
            } => {
                let Value::Number(lhs) = value(call) else {
                    return false;
                };
                match op {
                    Op::Eq => lhs == *rhs,
                    Op::Ne => lhs != *rhs,
                    Op::Lt => lhs < *rhs,
                    Op::Le => lhs <= *rhs,
                    Op::Gt => lhs > *rhs,
                    Op::Ge => lhs >= *rhs,
                }
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    functions: &'a [Function],
}

impl Parser<'_> {
    fn error(&self, message: String) -> ExpressionError {
        ExpressionError {
            text: self.text.to_owned(),
            position: self.pos,
            message,
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn rest_token(&self) -> String {
        self.rest().chars().take(12).collect()
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.primary()?;
        while self.eat("&&") {
            let right = self.primary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, ExpressionError> {
        if self.eat("(") {
            let inner = self.or()?;
            if !self.eat(")") {
                return Err(self.error("missing closing parenthesis".to_owned()));
            }
            return Ok(inner);
        }
        self.skip_space();
        let start = self.pos;
        let call = self.call()?;
        let function = self.functions[call.function];
        let op = self.op();
        match (function.kind, op) {
            (Kind::Number, Some(op)) => {
                let value = self.number()?;
                Ok(Expr::Compare { call, op, value })
            }
            (Kind::Bool, None) => Ok(Expr::Test(call)),
            (Kind::Number, None) => {
                self.pos = start;
                Err(self.error(format!(
                    "{}() returns a number and must be compared, such as {}() > 0.5",
                    function.name, function.name
                )))
            }
            (Kind::Bool, Some(_)) => {
                self.pos = start;
                Err(self.error(format!(
                    "{}() is a condition and cannot be compared",
                    function.name
                )))
            }
        }
    }

    fn op(&mut self) -> Option<Op> {
        for (token, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(token) {
                return Some(op);
            }
        }
        None
    }

    fn call(&mut self) -> Result<Call, ExpressionError> {
        let name_len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 || !self.rest().starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(self.error(format!(
                "expected a function such as {}(), found {:?}",
                self.functions.first().map_or("", |f| f.name),
                self.rest_token()
            )));
        }
        let name = self.rest()[..name_len].to_owned();
        let Some(index) = self.functions.iter().position(|f| f.name == name) else {
            let known: Vec<&str> = self.functions.iter().map(|f| f.name).collect();
            return Err(self.error(format!(
                "unknown function {name:?} (known: {})",
                known.join(", ")
            )));
        };
        self.pos += name_len;
        if !self.eat("(") {
            return Err(self.error(format!("expected `(` after {name}")));
        }
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.number()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.error(format!("expected `,` or `)` in {name}(...)")));
                }
            }
        }
        let wanted = self.functions[index].args;
        if args.len() != wanted {
            return Err(self.error(format!(
                "{name}() takes {wanted} argument(s), found {}",
                args.len()
            )));
        }
        Ok(Call {
            function: index,
            args,
        })
    }

    fn number(&mut self) -> Result<f64, ExpressionError> {
        self.skip_space();
        let len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            .count();
        let text = &self.rest()[..len];
        match text.parse::<f64>() {
            Ok(n) if !text.is_empty() && text.as_bytes()[0].is_ascii_digit() && n.is_finite() => {
                self.pos += len;
                Ok(n)
            }
            _ => Err(self.error(format!("expected a number, found {:?}", self.rest_token()))),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTIONS: [Function; 3] = [
        Function {
            name: "Ratio",
            args: 0,
            kind: Kind::Number,
        },
        Function {
            name: "Codes",
            args: 2,
            kind: Kind::Number,
        },
        Function {
            name: "Broken",
            args: 0,
            kind: Kind::Bool,
        },
    ];

    fn eval(text: &str, ratio: f64, broken: bool) -> bool {
        let expr = Expr::parse(text, &FUNCTIONS).expect("parses");
        expr.eval(&mut |call: &Call| match call.function {
            0 => Value::Number(ratio),
            1 => Value::Number(call.args[0] + call.args[1]),
            _ => Value::Bool(broken),
        })
    }

    #[test]
    fn comparisons_and_precedence() {
        assert!(eval("Ratio() > 0.5", 0.6, false));
        assert!(!eval("Ratio() > 0.5", 0.5, false));
        assert!(eval("Ratio() >= 0.5", 0.5, false));
        assert!(eval("Ratio()<=0.5", 0.5, false));
        assert!(eval("Ratio() == 1", 1.0, false));
        assert!(eval("Ratio() != 1", 0.0, false));
        assert!(eval("Codes(1, 2) == 3", 0.0, false));
        // && binds tighter than ||.
        assert!(eval(
            "Broken() || Ratio() > 0.5 && Ratio() < 0.1",
            0.0,
            true
        ));
        assert!(!eval(
            "(Broken() || Ratio() > 0.5) && Ratio() < 0.1",
            0.7,
            true
        ));
        assert!(eval("((Ratio() < 1e1))", 5.0, false));
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |text: &str| Expr::parse(text, &FUNCTIONS).expect_err(text).to_string();
        assert!(err("Nope() > 1").contains("unknown function \"Nope\""));
        assert!(err("Ratio()").contains("must be compared"));
        assert!(err("Broken() == 1").contains("cannot be compared"));
        assert!(err("Ratio() > ").contains("expected a number"));
        assert!(err("Codes(1) > 1").contains("takes 2 argument(s), found 1"));
        assert!(err("(Ratio() > 1").contains("missing closing parenthesis"));
        assert!(err("Ratio() > 1 junk").contains("unexpected"));
        assert!(err("Ratio() > 1 &&").contains("expected a function"));
        assert!(err("").contains("at byte 0"));
        assert!(err("0.5 < Ratio()").contains("expected a function"));
    }
}
