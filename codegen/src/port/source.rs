//! The monolith's source, read again where the port needs syntax the analysis does not keep:
//! a function's signature, a type's fields, derives and docs, a static's mutability. Items
//! are found by name and the line of their name, as the analysis reports them. Each file is
//! parsed once.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit::Visit;

use super::Param;
use super::signature::{self, SignatureFacts};
use crate::error::Error;

pub(crate) struct Sources {
    root: PathBuf,
    files: HashMap<String, syn::File>,
}

/// A function found in the source.
pub(crate) struct FoundFn {
    pub sig: syn::Signature,
    /// Who may name it: its own visibility; a trait's method is as visible as the trait.
    pub vis: Vis,
    /// Last segment of the trait an `impl` block implements, for methods.
    pub impl_trait: Option<String>,
    /// Line of its closing brace (of its signature when it has no body).
    pub last_line: u32,
    /// Last segment of the `impl` block's type, for methods.
    pub self_type: Option<String>,
    /// Type parameters of the `impl` block, for methods.
    pub impl_generics: Vec<String>,
}

/// A struct, enum, union or alias found in the source.
pub(crate) struct FoundType {
    /// Names of its type parameters.
    pub generics: Vec<String>,
    pub fields: Vec<Param>,
    /// Each field's (or variant field's, or alias target's) findings and named types, by
    /// field name.
    pub field_facts: Vec<(String, SignatureFacts)>,
    pub variants: Vec<String>,
    pub serde: bool,
    pub serialize: bool,
    pub deserialize: bool,
    pub docs: Vec<String>,
}

/// An item's or a module's visibility, as far as naming it from elsewhere in its crate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vis {
    /// No `pub`: its own module and the modules inside it.
    Private,
    /// `pub(super)`: also its module's parent.
    Super,
    /// `pub`, `pub(crate)`, `pub(in crate)`: the whole crate.
    Crate,
    /// `pub(in some::path)`, `pub(self)`: treated as private.
    Restricted,
}

impl Vis {
    pub fn of(vis: &syn::Visibility) -> Vis {
        match vis {
            syn::Visibility::Public(_) => Vis::Crate,
            syn::Visibility::Inherited => Vis::Private,
            syn::Visibility::Restricted(restricted) => {
                let path = &restricted.path;
                if path.is_ident("crate") {
                    Vis::Crate
                } else if path.is_ident("super") {
                    Vis::Super
                } else {
                    Vis::Restricted
                }
            }
        }
    }
}

impl Sources {
    pub fn new(root: &Path) -> Sources {
        Sources {
            root: root.to_path_buf(),
            files: HashMap::new(),
        }
    }

    pub fn function(
        &mut self,
        file: &str,
        name: &str,
        line: u32,
    ) -> Result<Option<FoundFn>, Error> {
        let tree = self.file(file)?;
        let mut finder = FnFinder::new(name, line, false);
        finder.visit_file(tree);
        Ok(finder.found)
    }

    /// The body of the function or method named `name` whose name is on `line`.
    pub fn function_body(
        &mut self,
        file: &str,
        name: &str,
        line: u32,
    ) -> Result<Option<syn::Block>, Error> {
        let tree = self.file(file)?;
        let mut finder = FnFinder::new(name, line, true);
        finder.visit_file(tree);
        Ok(finder.body)
    }

    pub fn type_def(
        &mut self,
        file: &str,
        name: &str,
        line: u32,
    ) -> Result<Option<FoundType>, Error> {
        Ok(self
            .item(file, name, line)?
            .and_then(|item| found_type(&item)))
    }

    /// Whether the static is `static mut` or holds interior mutability (locks, cells,
    /// atomics, lazily set values).
    pub fn static_is_mutable(&mut self, file: &str, name: &str, line: u32) -> Result<bool, Error> {
        let Some(syn::Item::Static(item)) = self.item(file, name, line)? else {
            return Ok(false);
        };
        if matches!(item.mutability, syn::StaticMutability::Mut(_)) {
            return Ok(true);
        }
        let ty = item.ty.to_token_stream().to_string();
        Ok([
            "Mutex", "RwLock", "RefCell", "Cell", "Atomic", "OnceCell", "OnceLock", "Lazy",
            "ArcSwap",
        ]
        .iter()
        .any(|word| ty.contains(word)))
    }

    /// The visibility of the module `name` declared (`mod name;` or inline) in `file`, the
    /// first one found; `None` when the file declares no such module.
    pub fn module_visibility(&mut self, file: &str, name: &str) -> Result<Option<Vis>, Error> {
        struct ModFinder<'n> {
            name: &'n str,
            found: Option<Vis>,
        }
        impl<'ast> Visit<'ast> for ModFinder<'_> {
            fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
                if self.found.is_none() && node.ident == self.name {
                    self.found = Some(Vis::of(&node.vis));
                }
                syn::visit::visit_item_mod(self, node);
            }
        }
        let mut finder = ModFinder { name, found: None };
        finder.visit_file(self.file(file)?);
        Ok(finder.found)
    }

    /// The syntax tree of `file` (relative to the monolith's folder), parsed once.
    pub fn tree(&mut self, file: &str) -> Result<&syn::File, Error> {
        self.file(file)
    }

    /// The struct, enum, union, alias or static named `name` whose name is on `line`.
    pub fn item(&mut self, file: &str, name: &str, line: u32) -> Result<Option<syn::Item>, Error> {
        let tree = self.file(file)?;
        let mut finder = ItemFinder {
            name,
            line,
            found: None,
        };
        finder.visit_file(tree);
        Ok(finder.found)
    }

    fn file(&mut self, file: &str) -> Result<&syn::File, Error> {
        if !self.files.contains_key(file) {
            let path = self.root.join(file);
            let text = std::fs::read_to_string(&path).map_err(|error| Error::Read {
                path: path.clone(),
                message: error.to_string(),
            })?;
            let tree = syn::parse_file(&text).map_err(|error| Error::Read {
                path: path.clone(),
                message: format!("line {}: {error}", error.span().start().line),
            })?;
            self.files.insert(file.to_string(), tree);
        }
        Ok(&self.files[file])
    }
}

fn closing_line(block: &syn::Block) -> u32 {
    u32::try_from(block.brace_token.span.close().start().line).unwrap_or(u32::MAX)
}

fn line_of(ident: &syn::Ident) -> u32 {
    u32::try_from(ident.span().start().line).unwrap_or(u32::MAX)
}

struct FnFinder<'n> {
    name: &'n str,
    line: u32,
    /// Type, type parameters and trait of each enclosing `impl` block.
    impls: Vec<(Option<String>, Vec<String>, Option<String>)>,
    /// Visibility of each enclosing trait.
    traits: Vec<Vis>,
    found: Option<FoundFn>,
    /// Keep the body of what is found (`body`).
    want_body: bool,
    body: Option<syn::Block>,
}

impl<'n> FnFinder<'n> {
    fn new(name: &'n str, line: u32, want_body: bool) -> FnFinder<'n> {
        FnFinder {
            name,
            line,
            impls: Vec::new(),
            traits: Vec::new(),
            found: None,
            want_body,
            body: None,
        }
    }
}

impl<'ast> Visit<'ast> for FnFinder<'_> {
    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        if node.sig.ident == self.name && line_of(&node.sig.ident) == self.line {
            self.found = Some(FoundFn {
                sig: node.sig.clone(),
                vis: Vis::of(&node.vis),
                impl_trait: None,
                last_line: closing_line(&node.block),
                self_type: None,
                impl_generics: Vec::new(),
            });
            if self.want_body {
                self.body = Some((*node.block).clone());
            }
        }
        syn::visit::visit_item_fn(self, node);
    }

    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        let self_type = match &*node.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|seg| seg.ident.to_string()),
            _ => None,
        };
        let generics = node
            .generics
            .type_params()
            .map(|param| param.ident.to_string())
            .collect();
        let impl_trait = node.trait_.as_ref().and_then(|(path, _)| {
            path.segments
                .last()
                .map(|segment| segment.ident.to_string())
        });
        self.impls.push((self_type, generics, impl_trait));
        syn::visit::visit_item_impl(self, node);
        self.impls.pop();
    }

    fn visit_impl_item_fn(&mut self, node: &'ast syn::ImplItemFn) {
        if node.sig.ident == self.name && line_of(&node.sig.ident) == self.line {
            let impl_trait = self.impls.last().and_then(|(_, _, tr)| tr.clone());
            self.found = Some(FoundFn {
                sig: node.sig.clone(),
                // A trait's method has no visibility of its own: the trait's counts, which
                // this finder does not see from an `impl` block; crate-wide is assumed.
                vis: if impl_trait.is_some() {
                    Vis::Crate
                } else {
                    Vis::of(&node.vis)
                },
                impl_trait,
                last_line: closing_line(&node.block),
                self_type: self.impls.last().and_then(|(ty, _, _)| ty.clone()),
                impl_generics: self
                    .impls
                    .last()
                    .map(|(_, generics, _)| generics.clone())
                    .unwrap_or_default(),
            });
            if self.want_body {
                self.body = Some(node.block.clone());
            }
        }
        syn::visit::visit_impl_item_fn(self, node);
    }

    fn visit_item_trait(&mut self, node: &'ast syn::ItemTrait) {
        self.traits.push(Vis::of(&node.vis));
        syn::visit::visit_item_trait(self, node);
        self.traits.pop();
    }

    fn visit_trait_item_fn(&mut self, node: &'ast syn::TraitItemFn) {
        if node.sig.ident == self.name && line_of(&node.sig.ident) == self.line {
            self.found = Some(FoundFn {
                sig: node.sig.clone(),
                vis: self.traits.last().copied().unwrap_or(Vis::Crate),
                impl_trait: None,
                last_line: node.default.as_ref().map_or(self.line, closing_line),
                self_type: None,
                impl_generics: Vec::new(),
            });
        }
        syn::visit::visit_trait_item_fn(self, node);
    }
}

/// Finds a struct, enum, union, alias or static by name and line.
struct ItemFinder<'n> {
    name: &'n str,
    line: u32,
    found: Option<syn::Item>,
}

impl<'ast> Visit<'ast> for ItemFinder<'_> {
    fn visit_item(&mut self, node: &'ast syn::Item) {
        let ident = match node {
            syn::Item::Struct(item) => Some(&item.ident),
            syn::Item::Enum(item) => Some(&item.ident),
            syn::Item::Union(item) => Some(&item.ident),
            syn::Item::Type(item) => Some(&item.ident),
            syn::Item::Static(item) => Some(&item.ident),
            _ => None,
        };
        if let Some(ident) = ident
            && ident == self.name
            && line_of(ident) == self.line
        {
            self.found = Some(node.clone());
        }
        syn::visit::visit_item(self, node);
    }
}

fn found_type(item: &syn::Item) -> Option<FoundType> {
    type Parts<'i> = (
        &'i [syn::Attribute],
        &'i syn::Generics,
        Vec<&'i syn::Field>,
        Vec<&'i syn::Variant>,
        Option<&'i syn::Type>,
    );
    let (attrs, generics, fields, variants, alias): Parts<'_> = match item {
        syn::Item::Struct(item) => (
            &item.attrs,
            &item.generics,
            item.fields.iter().collect(),
            Vec::new(),
            None,
        ),
        syn::Item::Union(item) => (
            &item.attrs,
            &item.generics,
            item.fields.named.iter().collect(),
            Vec::new(),
            None,
        ),
        syn::Item::Enum(item) => (
            &item.attrs,
            &item.generics,
            Vec::new(),
            item.variants.iter().collect(),
            None,
        ),
        syn::Item::Type(item) => (
            &item.attrs,
            &item.generics,
            Vec::new(),
            Vec::new(),
            Some(&*item.ty),
        ),
        _ => return None,
    };
    let generic_names: BTreeSet<String> = generics
        .type_params()
        .map(|param| param.ident.to_string())
        .collect();
    let mut found = FoundType {
        generics: generics
            .type_params()
            .map(|param| param.ident.to_string())
            .collect(),
        fields: Vec::new(),
        field_facts: Vec::new(),
        variants: Vec::new(),
        serde: derives(attrs, "Serialize") && derives(attrs, "Deserialize"),
        serialize: derives(attrs, "Serialize"),
        deserialize: derives(attrs, "Deserialize"),
        docs: docs(attrs),
    };
    for (idx, field) in fields.iter().enumerate() {
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| idx.to_string(), ToString::to_string);
        let ty = signature::type_text(&field.ty);
        found.field_facts.push((
            name.clone(),
            signature::read_field(&field.ty, format!("field `{name}: {ty}`"), &generic_names),
        ));
        found.fields.push(Param { name, ty });
    }
    for variant in variants {
        let mut bare = variant.clone();
        bare.attrs.clear();
        for field in bare.fields.iter_mut() {
            field.attrs.clear();
        }
        found
            .variants
            .push(one_line(&bare.to_token_stream().to_string()));
        for (idx, field) in variant.fields.iter().enumerate() {
            let name = field.ident.as_ref().map_or_else(
                || format!("{}.{idx}", variant.ident),
                |ident| format!("{}.{ident}", variant.ident),
            );
            let ty = signature::type_text(&field.ty);
            found.field_facts.push((
                name.clone(),
                signature::read_field(&field.ty, format!("field `{name}: {ty}`"), &generic_names),
            ));
        }
    }
    if let Some(target) = alias {
        let ty = signature::type_text(target);
        found.field_facts.push((
            "type".to_string(),
            signature::read_field(target, format!("alias of `{ty}`"), &generic_names),
        ));
        found.fields.push(Param {
            name: "type".to_string(),
            ty,
        });
    }
    Some(found)
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            let mut found = false;
            let _ = attr.parse_nested_meta(|meta| {
                if meta
                    .path
                    .segments
                    .last()
                    .is_some_and(|seg| seg.ident == name)
                {
                    found = true;
                }
                Ok(())
            });
            found
        })
}

fn docs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(value) => match &value.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Token text with the spaces `quote` puts around punctuation taken out where Rust would not
/// write them.
fn one_line(tokens: &str) -> String {
    tokens
        .replace(" ,", ",")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" :", ":")
        .replace(" < ", "<")
        .replace(" >", ">")
}
