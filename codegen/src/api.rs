//! The generated workspace's first crate, `SERVICE-api`: one trait with an async method per
//! ready operation of the port, a copy of every type those operations exchange (serde, no
//! borrowing), and the error a remote call adds. Rendered from the embedded templates
//! `templates/workspace/Cargo.toml.tera`, `templates/api/Cargo.toml.tera` and
//! `templates/api/lib.rs.tera` with a typed context ([`ApiContext`]), then formatted with
//! `prettyplease`, which also proves the output parses.
//!
//! Types are rewritten for the wire: a monolith type becomes its copy (by its last name), std
//! types stay, and value types of other crates become what they serialise to (`Uuid`,
//! `DateTime`, `Decimal`, `Url` a `String`, `Bytes` a `Vec<u8>`), each noted on its field, so
//! the crate depends on serde and `schemars` alone (each copy derives `JsonSchema`, and
//! `schemas()` gives them by name).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use syn::visit_mut::VisitMut;

use crate::error::Error;
use crate::output::GeneratedFile;
use crate::port::{Port, TypeDef};
use crate::render::Renderer;

/// What the API templates see.
#[derive(Debug, Serialize)]
pub struct ApiContext {
    pub service: String,
    /// `CatalogApi` for `catalog`.
    pub trait_name: String,
    pub operations: Vec<ApiOperation>,
    pub dtos: Vec<Dto>,
    /// The workspace has a kernel crate (`ficus generate --move` carried code into it).
    pub kernel: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiOperation {
    /// Method name: the function's, prefixed with its module's name when two share it.
    pub name: String,
    pub path: String,
    pub file: String,
    pub line: u32,
    pub params: Vec<ApiField>,
    /// Success type, `()` for none.
    pub output: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiField {
    pub name: String,
    pub ty: String,
    /// Set when the type was rewritten for the wire: what it was.
    pub note: Option<String>,
}

/// A copy of a monolith type.
#[derive(Debug, Serialize)]
pub struct Dto {
    pub name: String,
    pub path: String,
    pub file: String,
    pub line: u32,
    /// `struct`, `tuple` (a tuple struct), `enum` or `alias`.
    pub kind: String,
    /// `<T, U>`, or empty.
    pub generics: String,
    pub docs: Vec<String>,
    pub fields: Vec<ApiField>,
    /// Enum variants, types rewritten, without attributes.
    pub variants: Vec<String>,
    /// Target of an alias.
    pub alias: String,
}

/// The files of the workspace root and the API crate, paths relative to the output folder.
/// `kernel`: the workspace also holds `SERVICE-kernel` (see `moving.rs`).
pub fn api_files(
    port: &Port,
    renderer: &Renderer,
    kernel: bool,
) -> Result<Vec<GeneratedFile>, Error> {
    let mut context = api_context(port);
    context.kernel = kernel;
    let service = &port.service;
    let lib = renderer.render("api/lib.rs", &context)?;
    Ok(vec![
        GeneratedFile::owned(
            "Cargo.toml".to_string(),
            renderer.render("workspace/Cargo.toml", &context)?,
        )
        .from_template("workspace/Cargo.toml"),
        GeneratedFile::owned(
            format!("{service}-api/Cargo.toml"),
            renderer.render("api/Cargo.toml", &context)?,
        )
        .from_template("api/Cargo.toml"),
        GeneratedFile::owned(
            format!("{service}-api/src/lib.rs"),
            renderer.format_rust("api/lib.rs", &lib)?,
        )
        .from_template("api/lib.rs"),
    ])
}

/// The context of the API templates for `port`.
pub fn api_context(port: &Port) -> ApiContext {
    let ready = port.ready();
    let types = port.types_by_path();
    let reached: BTreeSet<&str> = ready
        .iter()
        .flat_map(|operation| operation.types.iter().map(String::as_str))
        .collect();
    let copy_names = copy_names(&reached, &types);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for operation in &ready {
        *counts.entry(operation.name.as_str()).or_default() += 1;
    }
    let operations = ready
        .iter()
        .map(|operation| {
            let copies = copies_of(&operation.names, &copy_names);
            let name = if counts[operation.name.as_str()] > 1 {
                let module = operation.module.rsplit("::").next().unwrap_or("");
                format!("{module}_{}", operation.name)
            } else {
                operation.name.clone()
            };
            ApiOperation {
                name,
                path: operation.path.clone(),
                file: operation.file.clone(),
                line: operation.line,
                params: operation
                    .inputs
                    .iter()
                    .map(|param| wire_field(&param.name, &param.ty, &copies))
                    .collect(),
                output: operation
                    .output
                    .as_deref()
                    .map_or_else(|| "()".to_string(), |ty| wire_type(ty, &copies).0),
            }
        })
        .collect();
    let dtos = reached
        .iter()
        .filter_map(|path| types.get(path))
        .map(|def| {
            let mut copies = copies_of(&def.names, &copy_names);
            let own = copy_names[def.path.as_str()].clone();
            copies.insert(def.name.clone(), own.clone());
            dto(def, own, &copies)
        })
        .collect();
    ApiContext {
        service: port.service.clone(),
        trait_name: format!("{}Api", camel_case(&port.service)),
        operations,
        dtos,
        kernel: false,
    }
}

/// A unique name for each copied type: its own, or, when two share one, prefixed with its
/// module's name (`orders::Line` and `cart::Line` become `OrdersLine` and `CartLine`).
fn copy_names<'t>(
    reached: &BTreeSet<&'t str>,
    types: &BTreeMap<&str, &TypeDef>,
) -> BTreeMap<&'t str, String> {
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for path in reached {
        if let Some(def) = types.get(path) {
            *by_name.entry(def.name.as_str()).or_default() += 1;
        }
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut names = BTreeMap::new();
    for path in reached {
        let Some(def) = types.get(path) else {
            continue;
        };
        let mut name = if by_name[def.name.as_str()] > 1 {
            let module = def.module.rsplit("::").next().unwrap_or_default();
            format!("{}{}", camel_case(module), def.name)
        } else {
            def.name.clone()
        };
        let base = name.clone();
        let mut counter = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}{counter}");
            counter += 1;
        }
        names.insert(*path, name);
    }
    names
}

/// Names as written in one place (a signature, a type's fields) to the copies they mean.
fn copies_of(
    written: &BTreeMap<String, String>,
    copy_names: &BTreeMap<&str, String>,
) -> BTreeMap<String, String> {
    written
        .iter()
        .filter_map(|(name, path)| {
            copy_names
                .get(path.as_str())
                .map(|copy| (name.clone(), copy.clone()))
        })
        .collect()
}

fn dto(def: &TypeDef, name: String, copies: &BTreeMap<String, String>) -> Dto {
    let tuple = def.kind == "struct"
        && def
            .fields
            .iter()
            .all(|field| field.name.parse::<usize>().is_ok())
        && !def.fields.is_empty();
    let kind = match def.kind.as_str() {
        "type" => "alias",
        "enum" => "enum",
        _ if tuple => "tuple",
        _ => "struct",
    };
    let mut dto = Dto {
        name,
        path: def.path.clone(),
        file: def.file.clone(),
        line: def.line,
        kind: kind.to_string(),
        generics: if def.generics.is_empty() {
            String::new()
        } else {
            format!("<{}>", def.generics.join(", "))
        },
        docs: def.docs.clone(),
        fields: Vec::new(),
        variants: Vec::new(),
        alias: String::new(),
    };
    match kind {
        "alias" => {
            dto.alias = def
                .fields
                .first()
                .map_or_else(|| "()".to_string(), |field| wire_type(&field.ty, copies).0);
        }
        "enum" => {
            dto.variants = def
                .variants
                .iter()
                .map(|variant| wire_variant(variant, copies))
                .collect();
        }
        _ => {
            dto.fields = def
                .fields
                .iter()
                .map(|field| wire_field(&field.name, &field.ty, copies))
                .collect();
        }
    }
    dto
}

fn wire_field(name: &str, ty: &str, copies: &BTreeMap<String, String>) -> ApiField {
    let (wire, rewritten) = wire_type(ty, copies);
    ApiField {
        name: name.to_string(),
        note: rewritten.then(|| format!("`{ty}` in the monolith, sent as `{wire}`.")),
        ty: wire,
    }
}

/// A type as the API writes it, and whether a value type of another crate was replaced.
fn wire_type(ty: &str, copies: &BTreeMap<String, String>) -> (String, bool) {
    let Ok(mut parsed) = syn::parse_str::<syn::Type>(ty) else {
        return (ty.to_string(), false);
    };
    let mut wire = Wire {
        copies,
        rewritten: false,
    };
    wire.visit_type_mut(&mut parsed);
    (crate::port::type_text(&parsed), wire.rewritten)
}

/// An enum variant written as the port keeps it, with its field types rewritten.
fn wire_variant(variant: &str, copies: &BTreeMap<String, String>) -> String {
    let Ok(mut parsed) = syn::parse_str::<syn::Variant>(variant) else {
        return variant.to_string();
    };
    let mut wire = Wire {
        copies,
        rewritten: false,
    };
    for field in parsed.fields.iter_mut() {
        wire.visit_type_mut(&mut field.ty);
    }
    let item: syn::ItemEnum = syn::parse_quote!(enum __Wire { #parsed });
    let text = prettyplease::unparse(&syn::parse_quote!(#item));
    let body: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|line| *line != "}")
        .map(str::trim)
        .collect();
    body.join(" ").trim_end_matches(',').to_string()
}

/// Rewrites the paths of a type for the wire (see the module comment).
struct Wire<'c> {
    copies: &'c BTreeMap<String, String>,
    rewritten: bool,
}

impl VisitMut for Wire<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        syn::visit_mut::visit_type_mut(self, ty);
        let syn::Type::Path(path) = ty else {
            return;
        };
        if path.qself.is_some() {
            return;
        }
        let Some(last) = path.path.segments.last().cloned() else {
            return;
        };
        let name = last.ident.to_string();
        if let Some(copy) = self.copies.get(&name) {
            let ident = syn::Ident::new(copy, last.ident.span());
            let mut segment = last;
            segment.ident = ident;
            path.path = segment.into();
            return;
        }
        let replacement: Option<syn::Type> = match name.as_str() {
            "Uuid" | "DateTime" | "NaiveDate" | "NaiveDateTime" | "NaiveTime"
            | "OffsetDateTime" | "PrimitiveDateTime" | "Date" | "Decimal" | "Url" => {
                Some(syn::parse_quote!(String))
            }
            "Bytes" => Some(syn::parse_quote!(Vec<u8>)),
            "Value" => Some(syn::parse_quote!(serde_json::Value)),
            "Duration" => Some(syn::parse_quote!(std::time::Duration)),
            "SystemTime" => Some(syn::parse_quote!(std::time::SystemTime)),
            "PathBuf" => Some(syn::parse_quote!(std::path::PathBuf)),
            "IpAddr" | "Ipv4Addr" | "Ipv6Addr" | "SocketAddr" => {
                let ident = syn::Ident::new(&name, last.ident.span());
                Some(syn::parse_quote!(std::net::#ident))
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            let changed = !matches!(
                name.as_str(),
                "Value"
                    | "Duration"
                    | "SystemTime"
                    | "PathBuf"
                    | "IpAddr"
                    | "Ipv4Addr"
                    | "Ipv6Addr"
                    | "SocketAddr"
            );
            self.rewritten |= changed;
            *ty = replacement;
        }
    }
}

/// `CatalogService` from `catalog-service`.
pub(crate) fn camel_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{camel_case, wire_type, wire_variant};

    fn copies() -> BTreeMap<String, String> {
        [("Line", "Line"), ("Money", "Money")]
            .into_iter()
            .map(|(from, to)| (from.to_string(), to.to_string()))
            .collect()
    }

    #[test]
    fn monolith_types_become_their_copies_and_value_types_what_they_serialise_to() {
        assert_eq!(
            wire_type("Vec<crate::billing::model::Line>", &copies()),
            ("Vec<Line>".to_string(), false)
        );
        assert_eq!(
            wire_type("Option<chrono::DateTime<chrono::Utc>>", &copies()),
            ("Option<String>".to_string(), true)
        );
        assert_eq!(
            wire_type("HashMap<uuid::Uuid, Money>", &copies()),
            ("HashMap<String, Money>".to_string(), true)
        );
        assert_eq!(
            wire_type("serde_json::Value", &copies()),
            ("serde_json::Value".to_string(), false)
        );
        assert_eq!(
            wire_type("bytes::Bytes", &copies()),
            ("Vec<u8>".to_string(), true)
        );
    }

    #[test]
    fn enum_variants_keep_their_shape_with_rewritten_fields() {
        assert_eq!(wire_variant("Pending", &copies()), "Pending");
        assert_eq!(
            wire_variant(
                "Paid { amount : model :: Money , at : DateTime < Utc > }",
                &copies()
            ),
            "Paid { amount: Money, at: String }"
        );
        assert_eq!(
            wire_variant("Split (Vec < Line >)", &copies()),
            "Split(Vec<Line>)"
        );
    }

    #[test]
    fn service_names_become_trait_names() {
        assert_eq!(camel_case("catalog"), "Catalog");
        assert_eq!(camel_case("order-history"), "OrderHistory");
    }
}
