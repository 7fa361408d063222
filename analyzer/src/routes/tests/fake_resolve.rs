//! A small stand-in for the real name resolver, good enough for route tests: one crate whose
//! files follow the usual layout (`src/lib.rs` or `src/main.rs` is the root, `src/a/b.rs` or
//! `src/a/b/mod.rs` is `crate::a::b`), inline `mod x { .. }` blocks, `fn`/`const`/`struct`
//! items, methods of inherent `impl` blocks, and `use` imports that start with `crate`, `self`
//! or `super` (single, grouped or renamed).
//!
//! It deliberately does not know glob imports, re-exports through `pub use` chains longer than
//! a few steps, external crates (their paths resolve to `None`, as the seam promises), trait
//! methods, or `#[path]` attributes. Items are reported at the line of their keyword (`fn`,
//! `const`, ...), which differs from the collector's key line (the name) whenever attributes
//! or doc comments come first, as the real resolver may.

use std::collections::{HashMap, HashSet};

use syn::{ImplItem, Item, UseTree};

use crate::routes::attribute::line_of;
use crate::site::{Resolve, ResolvedItem, Site};

pub(crate) struct FakeResolve {
    crate_name: String,
    /// Module path (`crate::a::b`) -> what it holds.
    modules: HashMap<String, Module>,
    /// File -> module path of its top.
    file_modules: HashMap<String, String>,
}

#[derive(Default)]
struct Module {
    file: String,
    /// Item name -> kind and line.
    items: HashMap<String, (&'static str, u32)>,
    /// (self type, associated item) -> kind and line.
    methods: HashMap<(String, String), (&'static str, u32)>,
    /// `impl` blocks: self type, first and last line.
    impls: Vec<(String, u32, u32)>,
    /// Local name -> path as written in the `use`.
    imports: HashMap<String, Vec<String>>,
    children: HashSet<String>,
}

impl FakeResolve {
    pub(crate) fn new(crate_name: &str, files: &[(String, syn::File)]) -> FakeResolve {
        let mut fake = FakeResolve {
            crate_name: crate_name.to_string(),
            modules: HashMap::new(),
            file_modules: HashMap::new(),
        };
        for (path, file) in files {
            let Some(module) = file_module(path) else {
                continue;
            };
            fake.file_modules.insert(path.clone(), module.clone());
            fake.index(&module, path, &file.items);
        }
        fake
    }

    fn index(&mut self, module: &str, file: &str, items: &[Item]) {
        let entry = self.modules.entry(module.to_string()).or_default();
        entry.file = file.to_string();
        let mut nested = Vec::new();
        for item in items {
            match item {
                Item::Fn(item) => {
                    entry.items.insert(
                        item.sig.ident.to_string(),
                        ("fn", line_of(item.sig.fn_token.span)),
                    );
                }
                Item::Const(item) => {
                    entry.items.insert(
                        item.ident.to_string(),
                        ("const", line_of(item.const_token.span)),
                    );
                }
                Item::Struct(item) => {
                    entry.items.insert(
                        item.ident.to_string(),
                        ("struct", line_of(item.struct_token.span)),
                    );
                }
                Item::Mod(item) => {
                    entry.children.insert(item.ident.to_string());
                    if let Some((_, items)) = &item.content {
                        nested.push((format!("{module}::{}", item.ident), items));
                    }
                }
                Item::Impl(item) if item.trait_.is_none() => {
                    let syn::Type::Path(self_ty) = &*item.self_ty else {
                        continue;
                    };
                    let Some(self_ty) = self_ty.path.segments.last() else {
                        continue;
                    };
                    let self_ty = self_ty.ident.to_string();
                    let first = line_of(item.impl_token.span);
                    let last = line_of(item.brace_token.span.close());
                    entry.impls.push((self_ty.clone(), first, last));
                    for impl_item in &item.items {
                        match impl_item {
                            ImplItem::Fn(method) => {
                                let line = line_of(method.sig.fn_token.span);
                                entry.methods.insert(
                                    (self_ty.clone(), method.sig.ident.to_string()),
                                    ("method", line),
                                );
                            }
                            ImplItem::Const(constant) => {
                                let line = line_of(constant.const_token.span);
                                entry.methods.insert(
                                    (self_ty.clone(), constant.ident.to_string()),
                                    ("const", line),
                                );
                            }
                            _ => {}
                        }
                    }
                }
                Item::Use(item) => imports(&item.tree, Vec::new(), &mut entry.imports),
                _ => {}
            }
        }
        for (module, items) in nested {
            self.index(&module, file, items);
        }
    }

    /// `crate::..` path of the module at `site`.
    fn module_path(&self, file: &str, site: &Site) -> Option<String> {
        let mut module = self.file_modules.get(file)?.clone();
        for inline in &site.inline_mods {
            module = format!("{module}::{inline}");
        }
        self.modules.contains_key(&module).then_some(module)
    }

    /// `path` written in `module` at `line`, as segments from `crate`.
    fn absolute(
        &self,
        module: &str,
        path: &[String],
        line: u32,
        depth: u32,
    ) -> Option<Vec<String>> {
        if depth > 8 {
            return None;
        }
        let module_segments: Vec<String> = module.split("::").map(String::from).collect();
        let (first, rest) = path.split_first()?;
        let mut out = match first.as_str() {
            "crate" => vec!["crate".to_string()],
            "self" => module_segments,
            "super" => {
                module_segments[..module_segments.len().checked_sub(1).filter(|&n| n > 0)?].to_vec()
            }
            "Self" => {
                let contents = self.modules.get(module)?;
                let (self_ty, _, _) = contents
                    .impls
                    .iter()
                    .find(|(_, first, last)| *first <= line && line <= *last)?;
                let mut out = module_segments;
                out.push(self_ty.clone());
                out
            }
            name => {
                let contents = self.modules.get(module)?;
                let is_local = contents.items.contains_key(name)
                    || contents.children.contains(name)
                    || contents.methods.keys().any(|(self_ty, _)| self_ty == name);
                if is_local {
                    let mut out = module_segments;
                    out.push(name.to_string());
                    out
                } else {
                    let import = contents.imports.get(name)?;
                    self.absolute(module, import, line, depth + 1)?
                }
            }
        };
        for segment in rest {
            if segment == "super" {
                out.pop();
                if out.is_empty() {
                    return None;
                }
            } else {
                out.push(segment.clone());
            }
        }
        Some(out)
    }

    fn external(&self, segments: &[String]) -> String {
        let mut out = vec![self.crate_name.clone()];
        out.extend(segments.iter().skip(1).cloned());
        out.join("::")
    }
}

impl Resolve for FakeResolve {
    fn resolve(&self, file: &str, site: &Site, path: &[String]) -> Option<ResolvedItem> {
        let module = self.module_path(file, site)?;
        let absolute = self.absolute(&module, path, site.line, 0)?;
        let count = absolute.len();
        if count >= 2 {
            let module = absolute[..count - 1].join("::");
            if let Some(contents) = self.modules.get(&module)
                && let Some((kind, line)) = contents.items.get(&absolute[count - 1])
            {
                return Some(ResolvedItem {
                    path: self.external(&absolute),
                    module: self.external(&absolute[..count - 1]),
                    kind: kind.to_string(),
                    file: contents.file.clone(),
                    line: *line,
                });
            }
        }
        if count >= 3 {
            let module = absolute[..count - 2].join("::");
            let key = (absolute[count - 2].clone(), absolute[count - 1].clone());
            if let Some(contents) = self.modules.get(&module)
                && let Some((kind, line)) = contents.methods.get(&key)
            {
                return Some(ResolvedItem {
                    path: self.external(&absolute),
                    module: self.external(&absolute[..count - 2]),
                    kind: kind.to_string(),
                    file: contents.file.clone(),
                    line: *line,
                });
            }
        }
        None
    }

    fn module_at(&self, file: &str, site: &Site) -> Option<String> {
        let module = self.module_path(file, site)?;
        let segments: Vec<String> = module.split("::").map(String::from).collect();
        Some(self.external(&segments))
    }
}

/// `src/lib.rs` -> `crate`, `src/a/b.rs` and `src/a/b/mod.rs` -> `crate::a::b`.
fn file_module(path: &str) -> Option<String> {
    let inner = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let inner = inner.strip_suffix("/mod").unwrap_or(inner);
    if inner == "lib" || inner == "main" {
        return Some("crate".to_string());
    }
    Some(format!("crate::{}", inner.replace('/', "::")))
}

fn imports(tree: &UseTree, prefix: Vec<String>, out: &mut HashMap<String, Vec<String>>) {
    match tree {
        UseTree::Path(path) => {
            let mut prefix = prefix;
            prefix.push(path.ident.to_string());
            imports(&path.tree, prefix, out);
        }
        UseTree::Name(name) if name.ident == "self" => {
            if let Some(last) = prefix.last() {
                out.insert(last.clone(), prefix.clone());
            }
        }
        UseTree::Name(name) => {
            let mut path = prefix;
            path.push(name.ident.to_string());
            out.insert(name.ident.to_string(), path);
        }
        UseTree::Rename(rename) => {
            let mut path = prefix;
            path.push(rename.ident.to_string());
            out.insert(rename.rename.to_string(), path);
        }
        UseTree::Group(group) => {
            for tree in &group.items {
                imports(tree, prefix.clone(), out);
            }
        }
        UseTree::Glob(_) => {}
    }
}
