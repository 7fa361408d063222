//! Route attributes on fns, `#[get("/x")]`, `#[post(..)]`, `#[route(..)]`, as actix-web and
//! rocket write them, and the token-level argument reader that `utoipa.rs` shares.
//!
//! Accepted spellings: `get`..`connect` and `route`, bare or as `actix_web::get` /
//! `rocket::get` (which also fixes the framework) or `other_crate::get` (a fork or
//! re-export; the mount decides the framework). A path that is not a URL pattern but a Rust
//! expression (`path = "crate::ROUTES.users.list"`) names a constant (see `value.rs`). `#[route("/x", method = "GET", method =
//! "POST")]` is actix-web's form, `#[route(GET, uri = "/x")]` (or `path = "/x"`) rocket's.
//! Arguments are read token by token rather than as expressions, so any argument syntax that
//! the frameworks accept (`data = "<form>"`, `guard = "..."`, `format = json`) is skipped
//! without failing. Not handled: attributes behind `#[cfg_attr(..)]`, and renamed imports of the
//! attribute macros (`use actix_web::get as fetch`).

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::{Attribute, Meta};

use super::{Framework, method_name};

/// One route attribute: its methods, its path as written, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AttrRoute {
    pub(super) methods: Vec<String>,
    pub(super) path: String,
    /// Set when the attribute path names the framework (`actix_web::get`, `rocket::get`).
    pub(super) framework: Option<Framework>,
    pub(super) line: u32,
}

/// The route attributes among `attrs`.
pub(super) fn route_attrs(attrs: &[Attribute]) -> Vec<AttrRoute> {
    attrs.iter().filter_map(route_attr).collect()
}

/// One argument of an attribute, split at top-level commas.
#[derive(Debug, Clone)]
pub(super) enum Arg {
    /// `"/x"`
    Str(String),
    /// `GET`, `get`
    Ident(String),
    /// `key = "value"`
    KeyStr(String, String),
    /// `key = Value`
    KeyIdent(String, String),
    /// `name(..)`: the name and the tokens inside the parentheses.
    Call(String, TokenStream),
    /// Anything else.
    Other,
}

/// Splits an attribute's argument tokens at top-level commas and reads each piece.
pub(super) fn args(tokens: &TokenStream) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut piece: Vec<TokenTree> = Vec::new();
    for token in tokens.clone() {
        if let TokenTree::Punct(punct) = &token
            && punct.as_char() == ','
        {
            out.push(read_arg(&piece));
            piece.clear();
        } else {
            piece.push(token);
        }
    }
    if !piece.is_empty() {
        out.push(read_arg(&piece));
    }
    out
}

/// The value of a string literal token, `None` for any other literal.
pub(super) fn string_literal(token: &TokenTree) -> Option<String> {
    let TokenTree::Literal(literal) = token else {
        return None;
    };
    let parsed: syn::LitStr =
        syn::parse2(TokenStream::from(TokenTree::Literal(literal.clone()))).ok()?;
    Some(parsed.value())
}

/// The 1-based line where `span` starts.
pub(super) fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

fn route_attr(attr: &Attribute) -> Option<AttrRoute> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let segments: Vec<String> = list
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let (name, framework) = match segments.as_slice() {
        [name] => (name.as_str(), None),
        [krate, name] if krate == "actix_web" => (name.as_str(), Some(Framework::ActixWeb)),
        [krate, name] if krate == "rocket" => (name.as_str(), Some(Framework::Rocket)),
        // A framework's attribute macros re-exported or forked by another crate
        // (`my_codegen::get`): how the fn is mounted decides the framework.
        [_, name] => (name.as_str(), None),
        _ => return None,
    };
    let args = args(&list.tokens);
    let line = line_of(attr.pound_token.spans[0]);
    if name == "route" {
        return generic_route(&args, framework, line);
    }
    let method = method_name(name)?;
    let path = args.iter().find_map(|arg| match arg {
        Arg::Str(path) => Some(path.clone()),
        Arg::KeyStr(key, path) if key == "path" || key == "uri" => Some(path.clone()),
        _ => None,
    })?;
    Some(AttrRoute {
        methods: vec![method],
        path,
        framework,
        line,
    })
}

/// `#[route("/x", method = "GET", method = "POST")]` (actix-web) or `#[route(GET, uri = "/x")]`
/// (rocket).
fn generic_route(args: &[Arg], framework: Option<Framework>, line: u32) -> Option<AttrRoute> {
    let mut methods = Vec::new();
    let mut path = None;
    let mut rocket_form = false;
    for arg in args {
        match arg {
            Arg::Str(value) if path.is_none() => path = Some(value.clone()),
            Arg::KeyStr(key, value) if key == "path" || key == "uri" => path = Some(value.clone()),
            Arg::KeyStr(key, value) if key == "method" => methods.push(value.to_ascii_uppercase()),
            Arg::KeyIdent(key, value) if key == "method" => {
                methods.push(value.to_ascii_uppercase())
            }
            Arg::Ident(value) => {
                rocket_form = true;
                methods.push(value.to_ascii_uppercase());
            }
            _ => {}
        }
    }
    let path = path?;
    if methods.is_empty() {
        return None;
    }
    let framework = framework.or(rocket_form.then_some(Framework::Rocket));
    Some(AttrRoute {
        methods,
        path,
        framework,
        line,
    })
}

fn read_arg(piece: &[TokenTree]) -> Arg {
    match piece {
        [literal @ TokenTree::Literal(_)] => string_literal(literal).map_or(Arg::Other, Arg::Str),
        [TokenTree::Ident(ident)] => Arg::Ident(ident.to_string()),
        [TokenTree::Ident(key), TokenTree::Punct(eq), value] if eq.as_char() == '=' => {
            match value {
                TokenTree::Literal(_) => string_literal(value)
                    .map_or(Arg::Other, |value| Arg::KeyStr(key.to_string(), value)),
                TokenTree::Ident(value) => Arg::KeyIdent(key.to_string(), value.to_string()),
                _ => Arg::Other,
            }
        }
        [TokenTree::Ident(name), TokenTree::Group(group)]
            if group.delimiter() == Delimiter::Parenthesis =>
        {
            Arg::Call(name.to_string(), group.stream())
        }
        _ => Arg::Other,
    }
}
