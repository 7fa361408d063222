//! Reading builder chains, `base.a(..).b(..).await?`, without recursion: the shape every
//! router, method router and actix route is written in. Plus small readers for paths.
//!
//! Flattening is a loop over receivers, so a chain of ten thousand `.route(..)` calls costs no
//! stack. It only peels method calls, parentheses, `.await` and `?`; it does not look through
//! blocks, references or casts.

use syn::{Expr, ExprMethodCall, Path};

/// A builder chain: the innermost receiver and the method calls on it, innermost first.
pub(super) struct Chain<'a> {
    pub(super) base: &'a Expr,
    pub(super) calls: Vec<&'a ExprMethodCall>,
}

impl<'a> Chain<'a> {
    pub(super) fn of(expr: &'a Expr) -> Chain<'a> {
        let mut calls = Vec::new();
        let mut current = expr;
        loop {
            current = match current {
                Expr::MethodCall(call) => {
                    calls.push(call);
                    &call.receiver
                }
                Expr::Paren(paren) => &paren.expr,
                Expr::Await(await_expr) => &await_expr.base,
                Expr::Try(try_expr) => &try_expr.expr,
                _ => break,
            };
        }
        calls.reverse();
        Chain {
            base: current,
            calls,
        }
    }

    /// The base as a call to a plain path (`Router::new()`, `web::get()`, `api(state)`): the
    /// callee and the arguments.
    pub(super) fn base_call(&self) -> Option<(&'a Path, Vec<&'a Expr>)> {
        let Expr::Call(call) = self.base else {
            return None;
        };
        let Expr::Path(callee) = peel(&call.func) else {
            return None;
        };
        if callee.qself.is_some() {
            return None;
        }
        Some((&callee.path, call.args.iter().collect()))
    }
}

/// Removes parentheses, references (`&x`, `&mut x`) and groups around an expression.
pub(super) fn peel(expr: &Expr) -> &Expr {
    let mut current = expr;
    loop {
        current = match current {
            Expr::Paren(paren) => &paren.expr,
            Expr::Reference(reference) => &reference.expr,
            Expr::Group(group) => &group.expr,
            _ => return current,
        };
    }
}

/// The identifiers of a path, without generic arguments or a leading `::`.
pub(super) fn segments(path: &Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

/// Whether `segments` ends with `suffix`.
pub(super) fn ends_with(segments: &[String], suffix: &[&str]) -> bool {
    segments.len() >= suffix.len()
        && segments[segments.len() - suffix.len()..]
            .iter()
            .zip(suffix)
            .all(|(segment, wanted)| segment == wanted)
}

/// The last identifier of a path expression (`MethodFilter::GET` -> `GET`).
pub(super) fn last_ident(expr: &Expr) -> Option<String> {
    match peel(expr) {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}
