//! SQL text as Rust code writes it: string literals (plain and raw), `concat!` of literals, and
//! `format!` templates whose `{..}` arguments are filled in afterwards, from string and integer
//! literals and from consts of the same file, or with a stand-in identifier that every dialect
//! parses ([`FORMAT_ARGUMENT`]).
//!
//! It deliberately does not follow consts into other files, evaluate `String` building
//! (`push_str`, `+`), or expand `format!` width and precision specs (they are dropped).

use std::collections::{BTreeSet, HashMap};

use syn::punctuated::Punctuated;
use syn::{Expr, Lit, LitStr, Macro, Token};

use crate::format_template::{Piece, pieces};

/// Stands for a `format!` argument whose value is unknown. A table by this name is no table.
pub(super) const FORMAT_ARGUMENT: &str = "ficus_format_argument";

/// A piece of SQL text found in code, before consts are known.
#[derive(Debug, Clone)]
pub(super) enum SqlSource {
    Text(LiteralText),
    Template(Template),
}

/// A literal's value and whether its lines match the source's (no `\n` escapes or `\`
/// line continuations), so that a statement's line inside it can be added to the literal's.
#[derive(Debug, Clone)]
pub(super) struct LiteralText {
    pub(super) value: String,
    pub(super) lines_match: bool,
}

/// A `format!` template cut into literal text and arguments.
#[derive(Debug, Clone, Default)]
pub(super) struct Template {
    parts: Vec<TemplatePart>,
    lines_match: bool,
}

#[derive(Debug, Clone)]
enum TemplatePart {
    Text(String),
    Argument(Argument),
}

/// What a `format!` argument is, as far as one file can tell.
#[derive(Debug, Clone)]
enum Argument {
    Text(String),
    /// A path to a const or static with this name, maybe in this file.
    Const(String),
    Unknown,
}

/// The text of a template once consts are known, and the consts it used.
pub(super) struct Expanded {
    pub(super) text: String,
    pub(super) lines_match: bool,
    pub(super) consts_used: BTreeSet<String>,
}

impl LiteralText {
    pub(super) fn new(literal: &LitStr) -> LiteralText {
        let value = literal.value();
        let source = literal.token().to_string();
        let lines_match = source.matches('\n').count() == value.matches('\n').count();
        LiteralText { value, lines_match }
    }
}

impl Template {
    pub(super) fn expand(&self, consts: &HashMap<String, String>) -> Expanded {
        let mut text = String::new();
        let mut lines_match = self.lines_match;
        let mut consts_used = BTreeSet::new();
        for part in &self.parts {
            match part {
                TemplatePart::Text(piece) => text.push_str(piece),
                TemplatePart::Argument(Argument::Text(value)) => {
                    lines_match &= !value.contains('\n');
                    text.push_str(value);
                }
                TemplatePart::Argument(Argument::Const(name)) => match consts.get(name) {
                    Some(value) => {
                        lines_match &= !value.contains('\n');
                        consts_used.insert(name.clone());
                        text.push_str(value);
                    }
                    None => text.push_str(FORMAT_ARGUMENT),
                },
                TemplatePart::Argument(Argument::Unknown) => text.push_str(FORMAT_ARGUMENT),
            }
        }
        Expanded {
            text,
            lines_match,
            consts_used,
        }
    }
}

/// The SQL text an expression spells, if it is one of the forms this module knows: a string
/// literal, `concat!` of literals, `format!`, possibly behind `&`, parentheses, `.as_str()`,
/// `.to_string()` and the like. The literal is returned for its position.
pub(super) fn sql_source(expr: &Expr) -> Option<(SqlSource, proc_macro2::Span)> {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(literal) => Some((SqlSource::Text(LiteralText::new(literal)), literal.span())),
            _ => None,
        },
        Expr::Reference(reference) => sql_source(&reference.expr),
        Expr::Paren(paren) => sql_source(&paren.expr),
        Expr::Group(group) => sql_source(&group.expr),
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "as_str" | "as_ref" | "to_string" | "to_owned" | "into" | "as_bytes"
                ) =>
        {
            sql_source(&call.receiver)
        }
        Expr::Macro(mac) => macro_source(&mac.mac),
        _ => None,
    }
}

/// `format!`, `format_args!` or `concat!` as SQL text.
pub(super) fn macro_source(mac: &Macro) -> Option<(SqlSource, proc_macro2::Span)> {
    let name = mac.path.segments.last()?.ident.to_string();
    match name.as_str() {
        "format" | "format_args" => {
            let args = mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .ok()?;
            format_template(&args, 0)
        }
        "concat" => {
            let args = mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .ok()?;
            concat_text(&args)
        }
        _ => None,
    }
}

/// The template of a `format!`-like macro whose template is argument `template_idx`.
pub(super) fn format_template(
    args: &Punctuated<Expr, Token![,]>,
    template_idx: usize,
) -> Option<(SqlSource, proc_macro2::Span)> {
    let Expr::Lit(lit) = args.iter().nth(template_idx)? else {
        return None;
    };
    let Lit::Str(literal) = &lit.lit else {
        return None;
    };
    let mut positional = Vec::new();
    let mut named = HashMap::new();
    for arg in args.iter().skip(template_idx + 1) {
        match arg {
            Expr::Assign(assign) => {
                if let Expr::Path(path) = &*assign.left
                    && let Some(name) = path.path.get_ident()
                {
                    named.insert(name.to_string(), argument(&assign.right));
                }
            }
            other => positional.push(argument(other)),
        }
    }
    let literal_text = LiteralText::new(literal);
    let template = parse_template(
        &literal_text.value,
        &positional,
        &named,
        literal_text.lines_match,
    );
    Some((SqlSource::Template(template), literal.span()))
}

fn concat_text(args: &Punctuated<Expr, Token![,]>) -> Option<(SqlSource, proc_macro2::Span)> {
    let mut value = String::new();
    let mut span = None;
    for arg in args {
        let Expr::Lit(lit) = arg else {
            return None;
        };
        match &lit.lit {
            Lit::Str(literal) => value.push_str(&literal.value()),
            Lit::Int(int) => value.push_str(int.base10_digits()),
            _ => return None,
        }
        span.get_or_insert_with(|| lit.lit.span());
    }
    // Pieces are joined without their line breaks: lines inside do not match the source.
    Some((
        SqlSource::Text(LiteralText {
            value,
            lines_match: false,
        }),
        span?,
    ))
}

fn argument(expr: &Expr) -> Argument {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(literal) => Argument::Text(literal.value()),
            Lit::Int(int) => Argument::Text(int.base10_digits().to_owned()),
            _ => Argument::Unknown,
        },
        Expr::Reference(reference) => argument(&reference.expr),
        Expr::Paren(paren) => argument(&paren.expr),
        Expr::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) if is_const_name(&last.ident.to_string()) => {
                Argument::Const(last.ident.to_string())
            }
            _ => Argument::Unknown,
        },
        _ => Argument::Unknown,
    }
}

/// Consts are written in upper snake case; a lower-case name is a local variable.
fn is_const_name(name: &str) -> bool {
    name.chars().any(|ch| ch.is_ascii_uppercase())
        && name
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
}

/// Cuts a `format!` template at its `{..}` arguments (`{{` and `}}` are braces).
fn parse_template(
    template: &str,
    positional: &[Argument],
    named: &HashMap<String, Argument>,
    lines_match: bool,
) -> Template {
    let parts = pieces(template)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => TemplatePart::Text(text),
            Piece::Position(idx) => {
                TemplatePart::Argument(positional.get(idx).cloned().unwrap_or(Argument::Unknown))
            }
            // Named argument, or a variable or const captured from the scope.
            Piece::Name(name) => {
                TemplatePart::Argument(named.get(&name).cloned().unwrap_or_else(|| {
                    if is_const_name(&name) {
                        Argument::Const(name)
                    } else {
                        Argument::Unknown
                    }
                }))
            }
        })
        .collect();
    Template { parts, lines_match }
}
