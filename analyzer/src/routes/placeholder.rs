//! Route paths that are not one string: what a path expression is made of, and how a part
//! only running the code gives is marked in the path.
//!
//! [`path_spec`] reads a path argument (`.route(p, ..)`, `.nest(p, ..)`, `.mount(p, ..)`,
//! `web::scope(p)`) into a [`PathSpec`]: a string literal, a constant named by path, a field
//! of a constant struct, or [`PathSpec::Parts`] for a string built from pieces: `format!` (with
//! positional, named and inline arguments), `concat!`, `[a, b].concat()`, `a + b`, and
//! conversions that keep the text (`String::from(x)`, `x.to_string()`, `x.to_owned()`,
//! `x.as_str()`, ..). A piece that is none of these (a call, a method, an index) is a
//! [`PathSpec::Unknown`] named by [`placeholder_name`]; a name that does not resolve to a
//! constant at assembly is marked the same way (`{prefix}` for a variable `prefix`).
//!
//! Deliberately not done: evaluating calls or methods, reading a variable's assignment, or
//! format specs (`{:>8}` is read as a plain argument). A non-string literal (`42`) is
//! [`PathSpec::Invalid`]: not a path at all.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Macro, Member, Token};

use super::PathSpec;
use super::chain::{peel, segments};
use super::value;
use crate::format_template::{Piece, pieces};
use crate::site::Site;

/// Longest expression text a diagnostic quotes before shortening it with `..`.
const MAX_WRITTEN: usize = 60;

/// Methods that return their receiver's text unchanged, as far as a route path goes.
const TEXT_CONVERSIONS: [&str; 8] = [
    "to_string",
    "to_owned",
    "into",
    "as_str",
    "as_ref",
    "clone",
    "borrow",
    "as_path",
];

/// Reads a path expression written at `site_of(span)`.
pub(super) fn path_spec(expr: &Expr, site_of: &dyn Fn(Span) -> Site) -> PathSpec {
    let mut parts = Vec::new();
    read(expr, site_of, &mut parts, 0);
    if parts.iter().any(|part| matches!(part, PathSpec::Invalid)) {
        return PathSpec::Invalid;
    }
    // Adjacent literals join, so `concat!("/a", "/b")` stays a literal.
    let mut joined: Vec<PathSpec> = Vec::with_capacity(parts.len());
    for part in parts {
        match (joined.last_mut(), part) {
            (Some(PathSpec::Literal(text)), PathSpec::Literal(more)) => text.push_str(&more),
            (_, part) => joined.push(part),
        }
    }
    match joined.len() {
        0 => PathSpec::Literal(String::new()),
        1 => joined.pop().unwrap_or(PathSpec::Invalid),
        _ => PathSpec::Parts(joined),
    }
}

/// A part that only running the code gives, named after `expr`.
pub(super) fn unknown(expr: &Expr) -> PathSpec {
    PathSpec::Unknown {
        name: placeholder_name(expr),
        written: written(expr),
    }
}

/// The placeholder of a path written as text that is a Rust expression this crate cannot read
/// (`"ROUTES.verify()"` in a route attribute).
pub(super) fn unknown_text(text: &str) -> PathSpec {
    match syn::parse_str::<Expr>(text) {
        Ok(expr) => unknown(&expr),
        Err(_) => PathSpec::Unknown {
            name: sanitise(text),
            written: shorten(text.to_string()),
        },
    }
}

/// The placeholder name of a path or field that names no constant: its last identifier.
pub(super) fn name_of_segments(segments: &[String]) -> String {
    sanitise(segments.last().map_or("", String::as_str))
}

/// The name a placeholder gets: the last identifier of the expression (the variable, field,
/// fn or method that gives the value; conversions and references are looked through),
/// lower-cased, with anything outside `[a-z0-9_]` as `_`, and `path` when nothing is left.
pub(super) fn placeholder_name(expr: &Expr) -> String {
    sanitise(&last_ident(expr).unwrap_or_default())
}

fn read(expr: &Expr, site_of: &dyn Fn(Span) -> Site, out: &mut Vec<PathSpec>, depth: usize) {
    // Paths are short; anything deeper than this is not a path anyone writes.
    if depth > 32 {
        out.push(unknown(expr));
        return;
    }
    let expr = peel(expr);
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(text) => out.push(PathSpec::Literal(text.value())),
            _ => out.push(PathSpec::Invalid),
        },
        Expr::Path(path) if path.qself.is_none() => out.push(PathSpec::Const {
            path: segments(&path.path),
            site: site_of(first_span(&path.path)),
        }),
        Expr::Field(_) => match value::field_chain(expr) {
            Some((path, fields)) => out.push(PathSpec::Field {
                path,
                fields,
                site: site_of(expr_span(expr)),
            }),
            None => out.push(unknown(expr)),
        },
        Expr::Macro(mac) => read_macro(expr, &mac.mac, site_of, out, depth),
        Expr::Binary(binary) if matches!(binary.op, syn::BinOp::Add(_)) => {
            read(&binary.left, site_of, out, depth + 1);
            read(&binary.right, site_of, out, depth + 1);
        }
        Expr::MethodCall(call) => {
            let name = call.method.to_string();
            if TEXT_CONVERSIONS.contains(&name.as_str()) && call.args.is_empty() {
                read(&call.receiver, site_of, out, depth + 1);
            } else if let (true, Expr::Array(array)) = (
                (name == "concat" && call.args.is_empty())
                    || (name == "join" && is_empty_str(call.args.first())),
                peel(&call.receiver),
            ) {
                for elem in &array.elems {
                    read(elem, site_of, out, depth + 1);
                }
            } else {
                out.push(unknown(expr));
            }
        }
        Expr::Call(call) if call.args.len() == 1 && is_text_constructor(&call.func) => {
            read(&call.args[0], site_of, out, depth + 1);
        }
        _ => out.push(unknown(expr)),
    }
}

/// `format!`, `concat!`: their pieces; any other macro is unknown.
fn read_macro(
    expr: &Expr,
    mac: &Macro,
    site_of: &dyn Fn(Span) -> Site,
    out: &mut Vec<PathSpec>,
    depth: usize,
) {
    let name = mac
        .path
        .segments
        .last()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default();
    let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) else {
        out.push(unknown(expr));
        return;
    };
    let args: Vec<&Expr> = args.iter().collect();
    match name.as_str() {
        "concat" => {
            for arg in &args {
                read(arg, site_of, out, depth + 1);
            }
        }
        "format" | "format_args" => {
            let Some(Expr::Lit(syn::ExprLit {
                lit: Lit::Str(template),
                ..
            })) = args.first().map(|arg| peel(arg))
            else {
                out.push(unknown(expr));
                return;
            };
            let template_site = site_of(template.span());
            read_format(
                &template.value(),
                &args[1..],
                &template_site,
                site_of,
                out,
                depth,
            );
        }
        _ => out.push(unknown(expr)),
    }
}

/// The pieces of a `format!` template: literal text, then each `{..}` as the argument it
/// names (positional, by index, `name = ..`, or an inline variable or constant).
fn read_format(
    template: &str,
    args: &[&Expr],
    template_site: &Site,
    site_of: &dyn Fn(Span) -> Site,
    out: &mut Vec<PathSpec>,
    depth: usize,
) {
    let mut named = Vec::new();
    let mut positional = Vec::new();
    for arg in args {
        match peel(arg) {
            Expr::Assign(assign) => match peel(&assign.left) {
                Expr::Path(path) if path.path.get_ident().is_some() => {
                    let name = path.path.segments[0].ident.to_string();
                    named.push((name, &*assign.right));
                }
                _ => positional.push(*arg),
            },
            _ => positional.push(*arg),
        }
    }
    for piece in pieces(template) {
        let arg = match &piece {
            Piece::Text(text) => {
                out.push(PathSpec::Literal(text.clone()));
                continue;
            }
            Piece::Position(idx) => positional.get(*idx).copied(),
            Piece::Name(key) => named
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, expr)| *expr),
        };
        match (arg.map(peel), &piece) {
            (Some(Expr::Lit(syn::ExprLit { lit, .. })), _) if !matches!(lit, Lit::Str(_)) => {
                out.push(PathSpec::Literal(literal_text(lit)));
            }
            (Some(arg), _) => read(arg, site_of, out, depth + 1),
            // An inline argument (`{base}`): a variable, or a constant in scope.
            (None, Piece::Name(key)) if is_identifier(key) => out.push(PathSpec::Const {
                path: vec![key.clone()],
                site: template_site.clone(),
            }),
            (None, Piece::Name(key)) => out.push(unknown_text(key)),
            (None, _) => out.push(unknown_text("path")),
        }
    }
}

/// `String::from`, `Cow::from`, `Cow::Borrowed`, `Cow::Owned`, `String::from_str`.
fn is_text_constructor(func: &Expr) -> bool {
    let Expr::Path(path) = peel(func) else {
        return false;
    };
    let names = segments(&path.path);
    matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        [.., "String" | "Cow", "from"]
            | [.., "Cow", "Borrowed" | "Owned"]
            | [.., "String", "from_str"]
    )
}

/// A number, character or boolean as `format!` writes it.
fn literal_text(lit: &Lit) -> String {
    match lit {
        Lit::Int(int) => int.base10_digits().to_string(),
        Lit::Float(float) => float.base10_digits().to_string(),
        Lit::Char(ch) => ch.value().to_string(),
        Lit::Bool(flag) => flag.value.to_string(),
        _ => String::new(),
    }
}

fn is_empty_str(expr: Option<&Expr>) -> bool {
    matches!(expr.map(peel), Some(Expr::Lit(syn::ExprLit { lit: Lit::Str(text), .. })) if text.value().is_empty())
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_alphanumeric() || ch == '_')
}

/// The identifier that gives an expression's value: `base` in `base.to_owned()`, `base_path`
/// in `cfg.base_path`, `prefix` in `get_prefix()`'s callee `get_prefix`.
fn last_ident(expr: &Expr) -> Option<String> {
    match peel(expr) {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(field) => match &field.member {
            Member::Named(name) => Some(name.to_string()),
            Member::Unnamed(_) => last_ident(&field.base),
        },
        Expr::MethodCall(call) => {
            let name = call.method.to_string();
            if TEXT_CONVERSIONS.contains(&name.as_str()) || name == "unwrap_or_default" {
                last_ident(&call.receiver)
            } else {
                Some(name)
            }
        }
        Expr::Call(call) => last_ident(&call.func),
        Expr::Index(index) => last_ident(&index.expr),
        Expr::Macro(mac) => {
            // `format!("{}/x", base)`: the last argument that names something.
            let args = mac
                .mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .ok()?;
            args.iter().rev().find_map(last_ident)
        }
        Expr::Try(inner) => last_ident(&inner.expr),
        Expr::Await(inner) => last_ident(&inner.base),
        Expr::Unary(unary) => last_ident(&unary.expr),
        Expr::Cast(cast) => last_ident(&cast.expr),
        _ => None,
    }
}

fn sanitise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        "path".to_string()
    } else {
        out
    }
}

/// A short form of an expression as written: paths, fields, calls and macros kept, their
/// arguments elided (`format!(..)`, `cfg.prefix()`), shortened past [`MAX_WRITTEN`] characters.
fn written(expr: &Expr) -> String {
    shorten(short_form(expr, 0))
}

fn short_form(expr: &Expr, depth: usize) -> String {
    if depth > 8 {
        return "..".to_string();
    }
    let args = |empty: bool| if empty { "()" } else { "(..)" };
    match expr {
        Expr::Path(path) => segments(&path.path).join("::"),
        Expr::Field(field) => {
            let member = match &field.member {
                Member::Named(name) => name.to_string(),
                Member::Unnamed(index) => index.index.to_string(),
            };
            format!("{}.{member}", short_form(&field.base, depth + 1))
        }
        Expr::MethodCall(call) => format!(
            "{}.{}{}",
            short_form(&call.receiver, depth + 1),
            call.method,
            args(call.args.is_empty())
        ),
        Expr::Call(call) => format!(
            "{}{}",
            short_form(&call.func, depth + 1),
            args(call.args.is_empty())
        ),
        Expr::Macro(mac) => format!("{}!(..)", segments(&mac.mac.path).join("::")),
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(text),
            ..
        }) => format!("{:?}", text.value()),
        Expr::Reference(reference) => format!("&{}", short_form(&reference.expr, depth + 1)),
        Expr::Paren(paren) => short_form(&paren.expr, depth),
        Expr::Index(index) => format!("{}[..]", short_form(&index.expr, depth + 1)),
        Expr::Try(inner) => format!("{}?", short_form(&inner.expr, depth + 1)),
        Expr::Await(inner) => format!("{}.await", short_form(&inner.base, depth + 1)),
        Expr::Binary(binary) if matches!(binary.op, syn::BinOp::Add(_)) => format!(
            "{} + {}",
            short_form(&binary.left, depth + 1),
            short_form(&binary.right, depth + 1)
        ),
        Expr::Array(_) => "[..]".to_string(),
        _ => "..".to_string(),
    }
}

fn shorten(text: String) -> String {
    if text.chars().count() <= MAX_WRITTEN {
        return text;
    }
    let mut short: String = text.chars().take(MAX_WRITTEN - 2).collect();
    short.push_str("..");
    short
}

fn first_span(path: &syn::Path) -> Span {
    path.segments
        .first()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

fn expr_span(expr: &Expr) -> Span {
    use syn::spanned::Spanned as _;
    expr.span()
}
