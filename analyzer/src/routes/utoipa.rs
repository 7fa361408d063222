//! OpenAPI operations declared with `#[utoipa::path(get, path = "/x/{id}", ..)]` on handler fns.
//!
//! Reads the method idents (`get`, or utoipa 5's `method(get, head)`), `path` and
//! `context_path` (joined in front); every other argument (`responses(..)`, `params(..)`,
//! `tag`, ...) is skipped token by token, so their syntax never matters. Whether the operation
//! duplicates a framework route is decided in `assemble`, not here. Not handled: operations that
//! utoipa's `OpenApi` derive nests under a prefix (`nest((path = "/api", api = ..))`), and
//! `#[path(..)]` imported under another name.

use syn::{Attribute, Meta};

use super::attribute::{Arg, args, line_of};
use super::{method_name, pattern};

/// One `#[utoipa::path]` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OpenApiAttr {
    pub(super) methods: Vec<String>,
    /// `context_path` and `path` joined and normalised (empty for the root).
    pub(super) path: String,
    pub(super) line: u32,
}

/// The `#[utoipa::path(..)]` attributes among `attrs` (also a bare `#[path(..)]` list, as
/// after `use utoipa::path;`; `#[path = ".."]` on modules is a different thing).
pub(super) fn openapi_attrs(attrs: &[Attribute]) -> Vec<OpenApiAttr> {
    attrs.iter().filter_map(openapi_attr).collect()
}

fn openapi_attr(attr: &Attribute) -> Option<OpenApiAttr> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let segments: Vec<String> = list
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let is_utoipa = match segments.as_slice() {
        [name] => name == "path",
        [krate, name] => krate == "utoipa" && name == "path",
        _ => false,
    };
    if !is_utoipa {
        return None;
    }
    let mut methods = Vec::new();
    let mut path = None;
    let mut context_path = None;
    for arg in args(&list.tokens) {
        match arg {
            Arg::Ident(name) => methods.extend(method_name(&name)),
            Arg::Call(name, tokens) if name == "method" => {
                for inner in args(&tokens) {
                    if let Arg::Ident(name) = inner {
                        methods.extend(method_name(&name.to_ascii_lowercase()));
                    }
                }
            }
            Arg::KeyStr(key, value) if key == "path" => path = Some(value),
            Arg::KeyStr(key, value) if key == "context_path" => context_path = Some(value),
            _ => {}
        }
    }
    let path = path?;
    if methods.is_empty() {
        return None;
    }
    let prefix = context_path
        .map(|prefix| pattern::normalize(&prefix))
        .unwrap_or_default();
    let path = pattern::join(&prefix, &path);
    Some(OpenApiAttr {
        methods,
        path,
        line: line_of(attr.pound_token.spans[0]),
    })
}
