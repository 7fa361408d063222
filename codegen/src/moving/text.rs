//! Source text as `--move` copies it: items cut out by their spans (attributes and doc
//! comments included), `use` trees flattened to one path each, and visibility added in place,
//! so that what is copied keeps its author's formatting and comments.

use proc_macro2::LineColumn;
use syn::spanned::Spanned;

/// The byte offset of a span position (line from 1, column in characters) in `text`.
pub(super) fn offset(text: &str, at: LineColumn) -> usize {
    let mut line_start = 0;
    for _ in 1..at.line {
        match text[line_start..].find('\n') {
            Some(end) => line_start += end + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    line_start
        + line
            .char_indices()
            .nth(at.column)
            .map_or(line.len(), |(idx, _)| idx)
}

/// The text of a syntax node, from its first token (an attribute or doc comment, if any) to
/// its last.
pub(super) fn text_of<'t>(text: &'t str, node: &impl Spanned) -> &'t str {
    let span = node.span();
    let start = offset(text, span.start());
    let end = offset(text, span.end()).max(start);
    &text[start..end]
}

/// One path a `use` item brings into scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseLeaf {
    /// Segments as written (`crate`, `super`, `self` included).
    pub segments: Vec<String>,
    pub alias: Option<String>,
    pub glob: bool,
}

impl UseLeaf {
    /// The leaf as a `use` item of its own with `visibility` (`pub `, `pub(crate) ` or empty).
    pub fn to_item(&self, visibility: &str, leading_colon: bool) -> String {
        let mut path = self.segments.join("::");
        if leading_colon {
            path.insert_str(0, "::");
        }
        if self.glob {
            path.push_str("::*");
        }
        match &self.alias {
            Some(alias) => format!("{visibility}use {path} as {alias};"),
            None => format!("{visibility}use {path};"),
        }
    }
}

/// Every path of a `use` tree. `self` in a group names the group's own path.
pub(crate) fn use_leaves(tree: &syn::UseTree) -> Vec<UseLeaf> {
    let mut leaves = Vec::new();
    walk_use(tree, &mut Vec::new(), &mut leaves);
    leaves
}

fn walk_use(tree: &syn::UseTree, prefix: &mut Vec<String>, leaves: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            walk_use(&path.tree, prefix, leaves);
            prefix.pop();
        }
        syn::UseTree::Name(name) => leaves.push(leaf(prefix, &name.ident, None)),
        syn::UseTree::Rename(rename) => {
            leaves.push(leaf(prefix, &rename.ident, Some(rename.rename.to_string())));
        }
        syn::UseTree::Glob(_) => leaves.push(UseLeaf {
            segments: prefix.clone(),
            alias: None,
            glob: true,
        }),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                walk_use(tree, prefix, leaves);
            }
        }
    }
}

fn leaf(prefix: &[String], ident: &syn::Ident, alias: Option<String>) -> UseLeaf {
    let mut segments = prefix.to_vec();
    // `use a::b::{self}` names `a::b`.
    if ident != "self" || segments.is_empty() {
        segments.push(ident.to_string());
    }
    UseLeaf {
        segments,
        alias,
        glob: false,
    }
}

/// `text` with `insert` placed at each byte offset of `at` (any order).
pub(super) fn insert_at(text: &str, at: &[usize], insert: &str) -> String {
    let mut at = at.to_vec();
    at.sort_unstable();
    at.dedup();
    let mut out = String::with_capacity(text.len() + at.len() * insert.len());
    let mut last = 0;
    for idx in at {
        out.push_str(&text[last..idx]);
        out.push_str(insert);
        last = idx;
    }
    out.push_str(&text[last..]);
    out
}

/// Literal paths of `include_str!`, `include_bytes!` and `include!` in `file`, each with the
/// line it is on.
pub(super) fn included_files(file: &syn::File) -> Vec<(String, u32)> {
    struct Includes(Vec<(String, u32)>);
    impl<'ast> syn::visit::Visit<'ast> for Includes {
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            let name = mac.path.segments.last().map(|s| s.ident.to_string());
            if matches!(
                name.as_deref(),
                Some("include_str" | "include_bytes" | "include")
            ) && let Ok(lit) = mac.parse_body::<syn::LitStr>()
            {
                self.0.push((lit.value(), lit.span().start().line as u32));
            }
            // Macro bodies are not syntax trees: scan their tokens for nested includes.
            scan_tokens(mac.tokens.clone(), &mut self.0);
        }
    }
    let mut includes = Includes(Vec::new());
    syn::visit::Visit::visit_file(&mut includes, file);
    includes.0.sort();
    includes.0.dedup();
    includes.0
}

fn scan_tokens(tokens: proc_macro2::TokenStream, found: &mut Vec<(String, u32)>) {
    use proc_macro2::TokenTree;
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (idx, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident)
                if matches!(
                    ident.to_string().as_str(),
                    "include_str" | "include_bytes" | "include"
                ) =>
            {
                let is_bang =
                    matches!(trees.get(idx + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                if let (true, Some(TokenTree::Group(group))) = (is_bang, trees.get(idx + 2))
                    && let Ok(lit) = syn::parse2::<syn::LitStr>(group.stream())
                {
                    found.push((lit.value(), lit.span().start().line as u32));
                }
            }
            TokenTree::Group(group) => scan_tokens(group.stream(), found),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "fn a() {}\n// é\nfn b() {}\n";
        let file = syn::parse_file(text).unwrap();
        assert_eq!(text_of(text, &file.items[1]), "fn b() {}");
        let at = LineColumn { line: 2, column: 4 };
        assert_eq!(&text[offset(text, at)..offset(text, at) + 1], "\n");
    }

    #[test]
    fn items_keep_their_docs_and_attributes() {
        let text =
            "use a::b;\n\n/// Docs.\n#[derive(Clone)]\npub struct S {\n    x: u8, // note\n}\n";
        let file = syn::parse_file(text).unwrap();
        assert_eq!(
            text_of(text, &file.items[1]),
            "/// Docs.\n#[derive(Clone)]\npub struct S {\n    x: u8, // note\n}"
        );
    }

    #[test]
    fn use_trees_flatten_to_one_path_each() {
        let item: syn::ItemUse =
            syn::parse_str("use crate::{a::{self, B as C}, d::*, e};").unwrap();
        let items: Vec<String> = use_leaves(&item.tree)
            .iter()
            .map(|leaf| leaf.to_item("", false))
            .collect();
        assert_eq!(
            items,
            [
                "use crate::a;",
                "use crate::a::B as C;",
                "use crate::d::*;",
                "use crate::e;"
            ]
        );
    }

    #[test]
    fn includes_are_found_in_items_and_macro_bodies() {
        let file = syn::parse_file(
            "const A: &str = include_str!(\"../a.sql\");\nconst B: &[(&str, &str)] = &[(\"b\", include_str!(\"../b.sql\"))];\nm! { include_bytes!(\"c.bin\") }\n",
        )
        .unwrap();
        let found: Vec<String> = included_files(&file).into_iter().map(|(p, _)| p).collect();
        assert_eq!(found, ["../a.sql", "../b.sql", "c.bin"]);
    }
}
