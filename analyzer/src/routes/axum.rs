//! axum specifics: which calls make an empty `Router`, and what a method router passed to
//! `.route(path, ..)` maps: `get(h)`, `get(h).post(h2)`, `any(h)`, `on(MethodFilter::GET, h)`,
//! `get_service(svc)`, with `routing::` or `axum::routing::` in front or not.
//!
//! Router methods themselves (`.route`, `.nest`, `.merge`, ...) are read by `collect.rs`
//! because actix-web and rocket share most of their names. Not understood: a method router
//! held in a variable or returned by a helper fn (`.route("/", users_methods())`), and
//! `MethodFilter` values other than the associated constants and `.or(..)` of them.

use syn::Expr;

use super::chain::{Chain, ends_with, last_ident, peel, segments};
use super::method_name;

/// Whether a call to `segments` makes an empty router: `Router::new()`,
/// `Router::default()`, `axum::Router::new()`.
pub(super) fn is_router_new(segments: &[String]) -> bool {
    ends_with(segments, &["Router", "new"]) || ends_with(segments, &["Router", "default"])
}

/// The methods and handler expressions of a method router, `None` if `expr` is not one.
pub(super) fn method_router(expr: &Expr) -> Option<Vec<(String, &Expr)>> {
    let chain = Chain::of(peel(expr));
    let (callee, args) = chain.base_call()?;
    let callee = segments(callee);
    let mut out = Vec::new();
    if ends_with(&callee, &["MethodRouter", "new"])
        || ends_with(&callee, &["MethodRouter", "default"])
    {
        // Starts empty.
    } else {
        let name = callee.last()?;
        if !add_methods(name, &args, &mut out) {
            return None;
        }
    }
    for call in &chain.calls {
        let args: Vec<&Expr> = call.args.iter().collect();
        add_methods(&call.method.to_string(), &args, &mut out);
    }
    Some(out)
}

/// Adds what `name(args)` registers (a free fn or a `MethodRouter` method); `false` if it is
/// not a method-routing call (then, on a chain, it passes through: `.layer(..)`).
fn add_methods<'a>(name: &str, args: &[&'a Expr], out: &mut Vec<(String, &'a Expr)>) -> bool {
    let base = name.strip_suffix("_service").unwrap_or(name);
    match (base, args) {
        ("any", [handler]) => out.push(("ANY".to_string(), handler)),
        ("on", [filter, handler]) => {
            for method in method_filters(filter) {
                out.push((method, handler));
            }
        }
        (method, [handler]) => match method_name(method) {
            Some(method) => out.push((method, handler)),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// `MethodFilter::GET` or `MethodFilter::GET.or(MethodFilter::POST)`.
fn method_filters(expr: &Expr) -> Vec<String> {
    let chain = Chain::of(peel(expr));
    let mut methods: Vec<String> = last_ident(chain.base)
        .and_then(|name| method_name(&name.to_ascii_lowercase()))
        .into_iter()
        .collect();
    for call in &chain.calls {
        if call.method == "or" {
            for arg in &call.args {
                methods.extend(
                    last_ident(arg).and_then(|name| method_name(&name.to_ascii_lowercase())),
                );
            }
        }
    }
    methods
}
