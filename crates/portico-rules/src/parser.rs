//! Recursive-descent parser from tokens to [`Expr`].
//!
//! Grammar (Go expression syntax restricted to what Traefik accepts):
//!
//! ```text
//! rule    = or [auto-semicolon] EOF
//! or      = and { "||" and }
//! and     = unary { "&&" unary }
//! unary   = "!" unary | primary
//! primary = "(" or ")" | IDENT "(" [ STRING { "," STRING } [ "..." ] [ "," ] ] ")"
//! ```
//!
//! Precedence is `!` > `&&` > `||`. Nesting of parentheses and `!` is capped at
//! [`MAX_DEPTH`] so hostile input cannot overflow the stack.

use crate::ast::{Arg, Call, Expr, Span};
use crate::error::RuleError;
use crate::lexer::{Tok, Token, tokenize};

/// Deepest nesting of parentheses and `!` a rule may use.
pub(crate) const MAX_DEPTH: usize = 64;

/// Parses a rule into its syntax tree.
pub(crate) fn parse(src: &str) -> Result<Expr, RuleError> {
    let tokens = tokenize(src)?;
    let mut p = Parser { tokens, pos: 0 };
    if p.peek() == &Tok::Eof {
        return Err(RuleError::new(0, "empty rule"));
    }
    let expr = p.or(0)?;
    let mut after_newline = false;
    if matches!(p.peek(), Tok::Semi { auto: true }) {
        p.pos += 1;
        after_newline = true;
    }
    if p.peek() == &Tok::Eof {
        Ok(expr)
    } else {
        Err(p.unexpected_after_operand(after_newline))
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

// === impl Parser ===

impl Parser {
    fn or(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let mut operands = vec![self.and(depth)?];
        while self.peek() == &Tok::OrOr {
            self.pos += 1;
            operands.push(self.and(depth)?);
        }
        Ok(collapse(operands, Expr::Or))
    }

    fn and(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let mut operands = vec![self.unary(depth)?];
        while self.peek() == &Tok::AndAnd {
            self.pos += 1;
            operands.push(self.unary(depth)?);
        }
        Ok(collapse(operands, Expr::And))
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, RuleError> {
        if self.peek() == &Tok::Bang {
            let at = self.span().start;
            check_depth(depth, at)?;
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        self.primary(depth)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, RuleError> {
        let span = self.span();
        match self.peek().clone() {
            Tok::LParen => {
                check_depth(depth, span.start)?;
                self.pos += 1;
                let inner = self.or(depth + 1)?;
                match self.peek() {
                    Tok::RParen => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    Tok::Eof => Err(RuleError::new(
                        self.span().start,
                        format!("unclosed `(` (opened at byte {})", span.start),
                    )),
                    _ => Err(self.unexpected_after_operand(false)),
                }
            }
            Tok::Ident(name) => {
                self.pos += 1;
                if self.peek() != &Tok::LParen {
                    return Err(RuleError::new(
                        span.start,
                        format!("`{name}` is not a matcher call: write {name}(`...`)"),
                    ));
                }
                self.pos += 1;
                self.call(name, span)
            }
            Tok::Eof => Err(RuleError::new(
                span.start,
                "unexpected end of rule: expected a matcher such as Host(`example.com`)",
            )),
            Tok::Str { .. } => Err(RuleError::new(
                span.start,
                "a string must be the argument of a matcher, as in Host(`example.com`)",
            )),
            Tok::AndAnd | Tok::OrOr => Err(RuleError::new(
                span.start,
                format!("{} is missing its left operand", describe(self.peek())),
            )),
            other => Err(RuleError::new(
                span.start,
                format!(
                    "expected a matcher such as Host(`example.com`), found {}",
                    describe(&other)
                ),
            )),
        }
    }

    /// Parses the arguments after `name(`.
    fn call(&mut self, name: String, name_span: Span) -> Result<Expr, RuleError> {
        let mut args = Vec::new();
        let mut ellipsis = None;
        loop {
            let span = self.span();
            match self.peek().clone() {
                Tok::RParen => break,
                Tok::Str { value, raw } => {
                    self.pos += 1;
                    args.push(Arg { value, span, raw });
                }
                Tok::Ident(arg) => {
                    let message = if self.peek_at(1) == &Tok::LParen {
                        format!(
                            "matchers cannot be nested: the arguments of {name} are quoted strings"
                        )
                    } else {
                        format!("argument `{arg}` of {name} must be a quoted string: write `{arg}`")
                    };
                    return Err(RuleError::new(span.start, message));
                }
                Tok::Number(text) => {
                    return Err(RuleError::new(
                        span.start,
                        format!(
                            "argument `{text}` of {name} must be a quoted string: write `{text}`"
                        ),
                    ));
                }
                Tok::Eof => return Err(self.unclosed_call(&name, name_span)),
                other => {
                    return Err(RuleError::new(
                        span.start,
                        format!(
                            "expected a quoted string argument for {name}, found {}",
                            describe(&other)
                        ),
                    ));
                }
            }
            // After an argument.
            let span = self.span();
            match self.peek() {
                Tok::Comma => self.pos += 1,
                Tok::RParen => break,
                Tok::Ellipsis => {
                    self.pos += 1;
                    ellipsis = Some(span);
                    if self.peek() == &Tok::Comma {
                        self.pos += 1;
                    }
                    if self.peek() != &Tok::RParen {
                        return Err(RuleError::new(
                            span.start,
                            "`...` can only follow the last argument",
                        ));
                    }
                    break;
                }
                Tok::Semi { auto: true } => {
                    return Err(RuleError::new(
                        span.start,
                        format!(
                            "missing `,` before the line break in the arguments of {name} (Go inserts a semicolon there)"
                        ),
                    ));
                }
                Tok::Str { .. } => {
                    return Err(RuleError::new(
                        span.start,
                        format!("missing `,` between the arguments of {name}"),
                    ));
                }
                Tok::Eof => return Err(self.unclosed_call(&name, name_span)),
                other => {
                    return Err(RuleError::new(
                        span.start,
                        format!(
                            "expected `,` or `)` in the arguments of {name}, found {}",
                            describe(other)
                        ),
                    ));
                }
            }
        }
        let close = self.span();
        self.pos += 1;
        Ok(Expr::Call(Call {
            name,
            name_span,
            args,
            span: Span {
                start: name_span.start,
                end: close.end,
            },
            ellipsis,
        }))
    }

    fn unclosed_call(&self, name: &str, name_span: Span) -> RuleError {
        RuleError::new(
            self.span().start,
            format!("unclosed {name}( (opened at byte {})", name_span.start),
        )
    }

    /// The error for a token found where `&&`, `||`, `)` or the end was expected.
    fn unexpected_after_operand(&self, after_newline: bool) -> RuleError {
        let span = self.span();
        let tok = self.peek();
        let line_break = if after_newline {
            Some(tok)
        } else if matches!(tok, Tok::Semi { auto: true }) {
            Some(self.peek_at(1))
        } else {
            None
        };
        let message = match (line_break, tok) {
            (Some(op @ (Tok::AndAnd | Tok::OrOr)), _) => format!(
                "a line break before {} ends the rule (Go inserts a semicolon): put the operator at the end of the previous line",
                describe(op)
            ),
            (Some(_), _) => {
                "unexpected line break: the rule goes on after a newline without `&&` or `||`"
                    .to_owned()
            }
            (None, Tok::Op("&")) => "unsupported operator `&`: use `&&`".to_owned(),
            (None, Tok::Op("|")) => "unsupported operator `|`: use `||`".to_owned(),
            (None, Tok::Op(op)) => {
                format!(
                    "unsupported operator `{op}`: only `&&`, `||`, `!` and parentheses are allowed"
                )
            }
            (None, Tok::Ident(word)) => match word.to_ascii_lowercase().as_str() {
                "and" => format!("`{word}` is not an operator: use `&&`"),
                "or" => format!("`{word}` is not an operator: use `||`"),
                "not" => format!("`{word}` is not an operator: use `!`"),
                _ => format!("missing `&&` or `||` before `{word}`"),
            },
            (None, Tok::Bang | Tok::LParen) => {
                format!("missing `&&` or `||` before {}", describe(tok))
            }
            (None, Tok::RParen) => "unexpected `)` without a matching `(`".to_owned(),
            (None, other) => format!("unexpected {}", describe(other)),
        };
        let position = if after_newline || line_break.is_none() {
            span.start
        } else {
            self.tokens
                .get(self.pos + 1)
                .map_or(span.start, |t| t.span.start)
        };
        RuleError::new(position, message)
    }

    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.tokens
            .get(self.pos + n)
            .or_else(|| self.tokens.last())
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn span(&self) -> Span {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or(Span { start: 0, end: 0 }, |t| t.span)
    }
}

fn collapse(mut operands: Vec<Expr>, wrap: fn(Vec<Expr>) -> Expr) -> Expr {
    if operands.len() == 1 {
        operands.swap_remove(0)
    } else {
        wrap(operands)
    }
}

fn check_depth(depth: usize, at: usize) -> Result<(), RuleError> {
    if depth >= MAX_DEPTH {
        return Err(RuleError::new(
            at,
            format!("rule nests too deeply (more than {MAX_DEPTH} levels of parentheses and `!`)"),
        ));
    }
    Ok(())
}

/// How a token is named in messages.
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(name) => format!("`{name}`"),
        Tok::Str { .. } => "a string".to_owned(),
        Tok::LParen => "`(`".to_owned(),
        Tok::RParen => "`)`".to_owned(),
        Tok::Comma => "`,`".to_owned(),
        Tok::AndAnd => "`&&`".to_owned(),
        Tok::OrOr => "`||`".to_owned(),
        Tok::Bang => "`!`".to_owned(),
        Tok::Ellipsis => "`...`".to_owned(),
        Tok::Semi { auto: true } => "a line break".to_owned(),
        Tok::Semi { auto: false } => "`;`".to_owned(),
        Tok::Number(text) => format!("`{text}`"),
        Tok::Op(op) => format!("`{op}`"),
        Tok::Eof => "the end of the rule".to_owned(),
    }
}

#[cfg(test)]
mod tests;
