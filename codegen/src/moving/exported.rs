//! `[shared_kernel] on_move = "depend"`: the service uses the monolith's own crate instead of
//! a kernel crate of copies, so what the moved code uses of it must be exported: `pub`, in
//! modules that are `pub` down from the crate root. `pub(crate)` is not enough from another
//! crate. What is not is listed with file and line.

use std::collections::BTreeSet;

use syn::visit::Visit;

use super::graph::{Graph, Side};
use crate::error::Error;
use crate::port::source::Sources;
use crate::port::{Class, Finding};

/// The items and modules of the monolith's crate the moved code uses directly that another
/// crate cannot name.
pub(super) fn unexported(graph: &Graph<'_>, sources: &mut Sources) -> Result<Vec<Finding>, Error> {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for &module in &graph.service {
        for &(_, to) in &graph.outgoing[module] {
            if let Some(target) = graph.module_of(to)
                && graph.side[target] == Side::Free
                && graph.in_moved_crate(target)
            {
                used.insert(to);
            }
        }
    }
    let mut findings = Vec::new();
    let mut modules_seen = BTreeSet::new();
    for path in used {
        let Some(target) = graph.module_of(path) else {
            continue;
        };
        // The modules on the way, from the crate root down.
        let mut chain = vec![target];
        while let Some(parent) = chain.last().and_then(|&module| graph.parent[module]) {
            chain.push(parent);
        }
        chain.reverse();
        for pair in chain.windows(2) {
            let (parent, module) = (graph.modules[pair[0]], graph.modules[pair[1]]);
            if !modules_seen.insert(pair[1]) {
                continue;
            }
            let name = module.path.rsplit("::").next().unwrap_or_default();
            if let Some(line) = private_module(sources, &parent.file, name)? {
                findings.push(unexported_finding(
                    &module.path,
                    "module",
                    &parent.file,
                    line,
                ));
            }
        }
        if let Some(item) = graph.items.get(path)
            && !matches!(item.kind.as_str(), "variant" | "macro")
        {
            let name = path.rsplit("::").next().unwrap_or(path);
            if item_is_private(sources, &item.file, name, item.line)? {
                findings.push(unexported_finding(path, &item.kind, &item.file, item.line));
            }
        }
    }
    Ok(findings)
}

fn unexported_finding(path: &str, kind: &str, file: &str, line: u32) -> Finding {
    Finding {
        class: Class::NeedsChange,
        what: format!(
            "the moved code uses `{path}` ({kind}) from the monolith's crate (`[shared_kernel] on_move = \"depend\"`), which does not export it"
        ),
        fix: "make it `pub` (and the modules above it), or set `on_move = \"carry\"`".to_string(),
        file: file.to_string(),
        line,
    }
}

/// The line of `mod name` in `file` when it is not `pub`.
fn private_module(sources: &mut Sources, file: &str, name: &str) -> Result<Option<u32>, Error> {
    struct Finder<'n> {
        name: &'n str,
        found: Option<(bool, u32)>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
            if self.found.is_none() && node.ident == self.name {
                self.found = Some((
                    matches!(node.vis, syn::Visibility::Public(_)),
                    node.ident.span().start().line as u32,
                ));
            }
            syn::visit::visit_item_mod(self, node);
        }
    }
    let mut finder = Finder { name, found: None };
    finder.visit_file(sources.tree(file)?);
    Ok(finder
        .found
        .filter(|(public, _)| !public)
        .map(|(_, line)| line))
}

/// Whether the item named `name` on `line` of `file` is not `pub` (a method of a trait
/// impl is as public as the trait).
fn item_is_private(
    sources: &mut Sources,
    file: &str,
    name: &str,
    line: u32,
) -> Result<bool, Error> {
    struct Finder<'n> {
        name: &'n str,
        line: u32,
        in_trait_impl: usize,
        public: Option<bool>,
    }
    impl Finder<'_> {
        fn check(&mut self, ident: &syn::Ident, vis: &syn::Visibility) {
            if ident == self.name && ident.span().start().line as u32 == self.line {
                self.public = Some(matches!(vis, syn::Visibility::Public(_)));
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_item(&mut self, node: &'ast syn::Item) {
            match node {
                syn::Item::Fn(item) => self.check(&item.sig.ident, &item.vis),
                syn::Item::Struct(item) => self.check(&item.ident, &item.vis),
                syn::Item::Enum(item) => self.check(&item.ident, &item.vis),
                syn::Item::Union(item) => self.check(&item.ident, &item.vis),
                syn::Item::Type(item) => self.check(&item.ident, &item.vis),
                syn::Item::Const(item) => self.check(&item.ident, &item.vis),
                syn::Item::Static(item) => self.check(&item.ident, &item.vis),
                syn::Item::Trait(item) => self.check(&item.ident, &item.vis),
                _ => {}
            }
            syn::visit::visit_item(self, node);
        }
        fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
            let of_trait = node.trait_.is_some();
            self.in_trait_impl += usize::from(of_trait);
            syn::visit::visit_item_impl(self, node);
            self.in_trait_impl -= usize::from(of_trait);
        }
        fn visit_impl_item_fn(&mut self, node: &'ast syn::ImplItemFn) {
            if self.in_trait_impl == 0 {
                self.check(&node.sig.ident, &node.vis);
            }
            syn::visit::visit_impl_item_fn(self, node);
        }
    }
    let mut finder = Finder {
        name,
        line,
        in_trait_impl: 0,
        public: None,
    };
    finder.visit_file(sources.tree(file)?);
    Ok(finder.public == Some(false))
}
