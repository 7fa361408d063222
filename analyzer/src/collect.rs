//! The reference collector: one pass over a parsed file that records items, `use` imports,
//! paths, method calls, `impl` blocks and `mod` declarations as [`ModFacts`].
//!
//! Purely syntactic: it sees what is written, not what macros expand to, and it guesses a
//! method receiver's type only where the syntax shows it (`self`, annotated bindings and
//! parameters, `Type::new(..)`, `Type { .. }`). Paths inside macro invocations count when the
//! tokens parse as comma-separated expressions or as items.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};

use crate::facts::{
    ImplFact, ImplMethod, ItemFact, ItemKind, MethodCallFact, ModDecl, ModFacts, RefFact, RefKind,
    UseFact, Visibility,
};

/// Collects the facts of a whole file.
pub(crate) fn collect(file: &syn::File, lines: u32) -> ModFacts {
    let mut collector = Collector::default();
    collector.scopes.push(ScopeBuilder::new(lines));
    for attr in &file.attrs {
        collector.visit_attribute(attr);
    }
    for item in &file.items {
        collector.visit_item(item);
    }
    collector
        .scopes
        .pop()
        .map(ScopeBuilder::finish)
        .unwrap_or_default()
}

/// What makes two method calls the same fact: the method name and the receiver type (by
/// their ids in the scope's path table), body and owner.
type CallKey = (u32, Option<u32>, Option<u32>, Option<u32>);

/// What makes two references the same fact: the path (by its id in the scope's path table),
/// kind, leading `::`, body and owner.
type RefKey = (u32, RefKind, bool, Option<u32>, Option<u32>);

/// The facts of one module scope being collected, with the tables that deduplicate them.
#[derive(Default)]
struct ScopeBuilder {
    facts: ModFacts,
    owner_ids: HashMap<String, u32>,
    /// Joined path (or method name) -> its id, so that a fact's key is a few integers.
    path_ids: HashMap<Box<str>, u32>,
    /// Reference key -> index of its fact in `facts.refs`.
    ref_ids: HashMap<RefKey, usize>,
    call_ids: HashMap<CallKey, usize>,
}

impl ScopeBuilder {
    fn new(lines: u32) -> ScopeBuilder {
        ScopeBuilder {
            facts: ModFacts {
                lines,
                ..ModFacts::default()
            },
            ..ScopeBuilder::default()
        }
    }

    fn owner_id(&mut self, owner: Option<&String>) -> Option<u32> {
        let owner = owner?;
        if let Some(&id) = self.owner_ids.get(owner) {
            return Some(id);
        }
        let id = u32::try_from(self.facts.owners.len()).unwrap_or(u32::MAX);
        self.facts.owners.push(owner.as_str().into());
        self.owner_ids.insert(owner.clone(), id);
        Some(id)
    }

    /// The id of a joined path or a method name, added if new.
    fn path_id(&mut self, joined: &str) -> u32 {
        match self.path_ids.get(joined) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.path_ids.len()).unwrap_or(u32::MAX);
                self.path_ids.insert(joined.into(), id);
                id
            }
        }
    }

    fn finish(self) -> ModFacts {
        self.facts
    }
}

pub(crate) fn line_of(span: Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

/// One function body being visited: its local scope id and the bindings whose types are known.
struct FnFrame {
    scope: u32,
    /// Bindings whose type the syntax shows.
    bindings: HashMap<String, Vec<String>>,
    /// Every name bound by a pattern in this body (parameters, `let`, `match`, closures).
    names: HashSet<String>,
}

#[derive(Default)]
struct Collector {
    /// Module scopes, innermost last (inline modules push one).
    scopes: Vec<ScopeBuilder>,
    /// Function bodies, innermost last.
    frames: Vec<FnFrame>,
    next_scope: u32,
    /// The `Self` type of the impl or trait being visited.
    self_types: Vec<Option<Vec<String>>>,
    /// Reused to build joined paths without allocating.
    path_buffer: String,
    /// Reused to read an identifier's text without allocating.
    name_buffer: String,
    /// Reused to join the paths of a macro body (a nested body takes it in turn).
    macro_buffer: String,
    /// The item that owns what is being visited, for item-level graphs.
    /// Owner names, innermost last, each with its id in the current scope once looked up.
    owners: Vec<(String, Option<u32>)>,
    /// How the calls being visited run: inside a spawn function's arguments, inside
    /// `join!`/`select!`, or plainly.
    task: Option<RefKind>,
}

/// Functions and methods whose arguments run as a task of their own.
const SPAWNERS: &[&str] = &["spawn", "spawn_blocking", "spawn_local"];
/// Macros whose arguments run concurrently with each other.
const JOINERS: &[&str] = &["join", "try_join", "select"];

impl Collector {
    fn scope(&mut self) -> &mut ModFacts {
        &mut self.builder().facts
    }

    fn builder(&mut self) -> &mut ScopeBuilder {
        // `collect` pushes the file scope before visiting and pops it after.
        self.scopes
            .last_mut()
            .expect("a module scope is always open while visiting")
    }

    fn local_scope(&self) -> Option<u32> {
        self.frames.last().map(|frame| frame.scope)
    }

    fn owner(&self) -> Option<String> {
        self.owners.last().map(|(name, _)| name.clone())
    }

    /// The current owner's index in the current scope's owner table.
    fn owner_id(&mut self) -> Option<u32> {
        let last = self.owners.len().checked_sub(1)?;
        if let Some(id) = self.owners[last].1 {
            return Some(id);
        }
        let name = self.owners[last].0.clone();
        let id = self.builder().owner_id(Some(&name));
        self.owners[last].1 = id;
        id
    }

    fn self_type(&self) -> Option<Vec<String>> {
        self.self_types.last().cloned().flatten()
    }

    fn add_item(&mut self, name: String, kind: ItemKind, vis: &syn::Visibility, span: Span) {
        let fact = ItemFact {
            name,
            kind,
            visibility: visibility(vis),
            line: line_of(span),
            local_scope: self.local_scope(),
            macro_export: false,
        };
        self.scope().items.push(fact);
    }

    /// Records a path, replacing a leading `Self` by the impl's type.
    fn add_ref(&mut self, path: &syn::Path, kind: RefKind) {
        use std::fmt::Write;
        let mut segments = path.segments.iter();
        let Some(first) = segments.next() else {
            return;
        };
        // Written into a reused buffer: most paths were seen before in the same scope, and
        // then nothing is allocated.
        let mut joined = std::mem::take(&mut self.path_buffer);
        joined.clear();
        if first.ident == "Self" {
            match self.self_types.last().and_then(Option::as_ref) {
                Some(self_type) => joined.push_str(&self_type.join("::")),
                None => {
                    self.path_buffer = joined;
                    return;
                }
            }
        } else {
            let _ = write!(joined, "{}", first.ident);
        }
        for segment in segments {
            let _ = write!(joined, "::{}", segment.ident);
        }
        self.add_ref_joined(&joined, path.leading_colon.is_some(), kind);
        self.path_buffer = joined;
    }

    /// Records a path written as segments joined with `::`, replacing a leading `Self` by
    /// the impl's type.
    fn add_ref_written(&mut self, joined: &str, global: bool, kind: RefKind) {
        let rest = match joined.strip_prefix("Self") {
            Some(rest) if rest.is_empty() || rest.starts_with("::") => rest,
            _ => {
                self.add_ref_joined(joined, global, kind);
                return;
            }
        };
        let Some(self_type) = self.self_types.last().and_then(Option::as_ref) else {
            return;
        };
        let mut expanded = self_type.join("::");
        if expanded.is_empty() {
            expanded.push_str(rest.trim_start_matches("::"));
        } else {
            expanded.push_str(rest);
        }
        if !expanded.is_empty() {
            self.add_ref_joined(&expanded, global, kind);
        }
    }

    /// Records a path (segments joined with `::`). The same path, kind, body and owner is
    /// counted, not stored again.
    fn add_ref_joined(&mut self, joined: &str, global: bool, kind: RefKind) {
        // A function called, or passed by name (`thread::spawn(worker)`), inside a task.
        let kind = match (kind, self.task) {
            (RefKind::Call | RefKind::Value, Some(task)) => task,
            _ => kind,
        };
        let local_scope = self.local_scope();
        let owner = self.owner_id();
        let builder = self.builder();
        let path_id = builder.path_id(joined);
        let key: RefKey = (path_id, kind, global, local_scope, owner);
        match builder.ref_ids.get(&key) {
            Some(&idx) => builder.facts.refs[idx].count += 1,
            None => {
                builder.ref_ids.insert(key, builder.facts.refs.len());
                builder.facts.refs.push(RefFact {
                    path: joined.into(),
                    global,
                    kind,
                    local_scope,
                    owner,
                    count: 1,
                });
            }
        }
    }

    /// Records `receiver.method(..)`, counted like references.
    /// Nothing is allocated for a call seen before in the same place, unless its receiver's
    /// type is known (the type is joined to be looked up).
    fn add_method_call(&mut self, method: &str, receiver_type: Option<Vec<String>>) {
        let receiver_type = receiver_type.map(|path| path.join("::"));
        let local_scope = self.local_scope();
        let owner = self.owner_id();
        let builder = self.builder();
        let method_id = builder.path_id(method);
        let receiver_id = receiver_type
            .as_deref()
            .map(|joined| builder.path_id(joined));
        let key: CallKey = (method_id, receiver_id, local_scope, owner);
        match builder.call_ids.get(&key) {
            Some(&idx) => builder.facts.method_calls[idx].count += 1,
            None => {
                builder
                    .call_ids
                    .insert(key, builder.facts.method_calls.len());
                builder.facts.method_calls.push(MethodCallFact {
                    method: method.into(),
                    receiver_type: receiver_type.map(String::into_boxed_str),
                    local_scope,
                    owner,
                    count: 1,
                });
            }
        }
    }

    fn expand_self(&self, segments: Vec<String>) -> Option<Vec<String>> {
        if segments.first().map(String::as_str) == Some("Self") {
            let mut expanded = self.self_type()?;
            expanded.extend(segments.into_iter().skip(1));
            Some(expanded)
        } else {
            Some(segments)
        }
    }

    fn enter_fn(&mut self, owner: String, inputs: &Punctuated<syn::FnArg, syn::Token![,]>) {
        self.next_scope += 1;
        let mut frame = FnFrame {
            scope: self.next_scope,
            bindings: HashMap::default(),
            names: HashSet::default(),
        };
        for input in inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    if let Some(self_type) = self.self_type() {
                        frame.bindings.insert("self".to_string(), self_type);
                    }
                }
                syn::FnArg::Typed(typed) => {
                    if let (syn::Pat::Ident(ident), Some(ty)) =
                        (&*typed.pat, self.type_path(&typed.ty))
                    {
                        frame.bindings.insert(ident.ident.to_string(), ty);
                    }
                }
            }
        }
        self.frames.push(frame);
        self.owners.push((owner, None));
    }

    fn leave_fn(&mut self) {
        self.frames.pop();
        self.owners.pop();
    }

    /// The path of a named type, through references, parentheses and groups.
    fn type_path(&self, ty: &syn::Type) -> Option<Vec<String>> {
        match ty {
            syn::Type::Path(type_path) if type_path.qself.is_none() => {
                self.expand_self(path_segments(&type_path.path))
            }
            syn::Type::Reference(reference) => self.type_path(&reference.elem),
            syn::Type::Paren(paren) => self.type_path(&paren.elem),
            syn::Type::Group(group) => self.type_path(&group.elem),
            _ => None,
        }
    }

    /// The receiver's type when the syntax shows it.
    fn receiver_type(&self, receiver: &syn::Expr) -> Option<Vec<String>> {
        match receiver {
            syn::Expr::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
                let name = path.path.segments[0].ident.to_string();
                self.frames
                    .iter()
                    .rev()
                    .find_map(|frame| frame.bindings.get(&name).cloned())
            }
            syn::Expr::Paren(paren) => self.receiver_type(&paren.expr),
            syn::Expr::Reference(reference) => self.receiver_type(&reference.expr),
            syn::Expr::Struct(strukt) if strukt.qself.is_none() => {
                self.expand_self(path_segments(&strukt.path))
            }
            syn::Expr::Call(call) => self.constructor_type(call),
            _ => None,
        }
    }

    /// `Type::new(..)`, `module::Type::from(..)`: the type, when the call is to an associated
    /// function of a type (a path whose second-to-last segment starts upper-case).
    fn constructor_type(&self, call: &syn::ExprCall) -> Option<Vec<String>> {
        let syn::Expr::Path(path) = &*call.func else {
            return None;
        };
        if path.qself.is_some() {
            return None;
        }
        let mut segments = self.expand_self(path_segments(&path.path))?;
        segments.pop()?;
        let starts_upper = segments
            .last()?
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        starts_upper.then_some(segments)
    }

    /// Paths inside a macro's tokens. Macro bodies need not be Rust (`json!`, `html!`, SQL
    /// DSLs), so instead of parsing them this reads paths off the token stream: `a::b` followed
    /// by `(` is a call, by `{` a construction (upper-case last segment), by `!` a macro;
    /// `.name(` is a method call; other multi-segment or upper-case paths are value uses.
    /// Lower-case single identifiers are taken for local variables, unless called.
    fn scan_macro_tokens(&mut self, stream: proc_macro2::TokenStream) {
        use proc_macro2::{Delimiter, TokenTree};
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let is_punct = |idx: usize, ch: char| matches!(tokens.get(idx), Some(TokenTree::Punct(punct)) if punct.as_char() == ch);
        // The path is joined into a reused buffer: most identifiers in a macro body are not
        // recorded, and those that are were usually seen before.
        let mut joined = std::mem::take(&mut self.macro_buffer);
        let mut idx = 0;
        while idx < tokens.len() {
            match &tokens[idx] {
                TokenTree::Group(group) => {
                    self.macro_buffer = std::mem::take(&mut joined);
                    self.scan_macro_tokens(group.stream());
                    joined = std::mem::take(&mut self.macro_buffer);
                    idx += 1;
                }
                TokenTree::Ident(first) => {
                    let start = idx;
                    write_ident(&mut joined, first);
                    let mut n_segments = 1;
                    let mut last_start = 0;
                    idx += 1;
                    while is_punct(idx, ':') && is_punct(idx + 1, ':') {
                        match tokens.get(idx + 2) {
                            Some(TokenTree::Ident(next)) => {
                                joined.push_str("::");
                                last_start = joined.len();
                                let _ =
                                    std::fmt::Write::write_fmt(&mut joined, format_args!("{next}"));
                                n_segments += 1;
                                idx += 3;
                            }
                            _ => break,
                        }
                    }
                    let global = start >= 2 && is_punct(start - 1, ':') && is_punct(start - 2, ':');
                    let after_dot = start >= 1 && is_punct(start - 1, '.');
                    let next_group = match tokens.get(idx) {
                        Some(TokenTree::Group(group)) => Some(group.delimiter()),
                        _ => None,
                    };
                    let last_upper = joined[last_start..].starts_with(|c: char| c.is_uppercase());
                    if after_dot && n_segments == 1 {
                        if next_group == Some(Delimiter::Parenthesis) {
                            self.add_method_call(&joined, None);
                        }
                        continue;
                    }
                    if n_segments == 1 && is_keyword(&joined) {
                        continue;
                    }
                    let kind = if is_punct(idx, '!') {
                        Some(RefKind::Macro)
                    } else if next_group == Some(Delimiter::Parenthesis) {
                        Some(RefKind::Call)
                    } else if next_group == Some(Delimiter::Brace) && last_upper {
                        Some(RefKind::Construct)
                    } else if n_segments > 1 || last_upper {
                        Some(RefKind::Value)
                    } else {
                        None
                    };
                    if let Some(kind) = kind
                        && !(n_segments == 1 && kind == RefKind::Value && self.is_local(&joined))
                    {
                        self.add_ref_written(&joined, global, kind);
                    }
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => idx += 1,
            }
        }
        self.macro_buffer = joined;
    }

    /// An item-position macro usually wraps items (`cfg_net! { pub mod net; }`, `cfg_if!`):
    /// its modules and items are real once expanded. Its body is read as items if it parses
    /// as such; otherwise each brace-delimited group in it is tried (the `{ .. }` arms of
    /// `cfg_if!`-style macros), and what is left is scanned for paths.
    fn visit_item_macro_body(&mut self, tokens: proc_macro2::TokenStream) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.clone().into_iter().collect();
        if may_start_items(&trees)
            && let Ok(file) = syn::parse2::<syn::File>(tokens)
        {
            for item in &file.items {
                self.visit_item(item);
            }
            return;
        }
        let mut rest = proc_macro2::TokenStream::new();
        for tree in trees {
            match &tree {
                proc_macro2::TokenTree::Group(group)
                    if group.delimiter() == proc_macro2::Delimiter::Brace =>
                {
                    match syn::parse2::<syn::File>(group.stream()) {
                        Ok(file) => {
                            for item in &file.items {
                                self.visit_item(item);
                            }
                        }
                        Err(_) => rest.extend([tree]),
                    }
                }
                _ => rest.extend([tree]),
            }
        }
        self.scan_macro_tokens(rest);
    }

    fn is_local(&self, name: &str) -> bool {
        self.frames.iter().any(|frame| frame.names.contains(name))
    }
}

/// Whether a token stream can parse as a list of items, judged by its first tokens; `false`
/// only when it cannot (a literal, a group or an expression's first word), which spares
/// the parser a deep copy of a macro body that is not items (`cfg_if!`'s `if`, assertions).
fn may_start_items(trees: &[proc_macro2::TokenTree]) -> bool {
    use proc_macro2::TokenTree;
    let mut trees = trees.iter();
    match trees.next() {
        None => true,
        Some(TokenTree::Punct(punct)) => matches!(punct.as_char(), '#' | ':'),
        Some(TokenTree::Ident(ident)) => {
            let word = ident.to_string();
            ITEM_WORDS.contains(&word.as_str())
                // A macro call (`name!`) or a path to one (`name::..`).
                || matches!(trees.next(), Some(TokenTree::Punct(punct)) if matches!(punct.as_char(), '!' | ':'))
        }
        Some(TokenTree::Literal(_) | TokenTree::Group(_)) => false,
    }
}

/// Words an item (or its visibility or attributes' successor) can start with.
const ITEM_WORDS: &[&str] = &[
    "async",
    "auto",
    "const",
    "crate",
    "default",
    "enum",
    "extern",
    "fn",
    "impl",
    "macro",
    "macro_rules",
    "mod",
    "pub",
    "safe",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "type",
    "union",
    "unsafe",
    "use",
];

/// Words that look like identifiers in a token stream but are not paths.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
    )
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        let name = node.ident.to_string();
        let decl = |inline| ModDecl {
            name: name.clone(),
            line: line_of(node.ident.span()),
            path_attr: path_attribute(&node.attrs),
            cfg: cfg_attributes(&node.attrs),
            inline,
        };
        match &node.content {
            None => {
                let decl = decl(None);
                self.scope().mods.push(decl);
            }
            Some((brace, items)) => {
                let span = brace.span.join();
                let lines = line_of_end(span).saturating_sub(line_of(span)) + 1;
                self.scopes.push(ScopeBuilder::new(lines));
                // An inline module is a fresh scope: bindings of an enclosing fn do not leak.
                let frames = std::mem::take(&mut self.frames);
                let self_types = std::mem::take(&mut self.self_types);
                let owners = std::mem::take(&mut self.owners);
                for item in items {
                    self.visit_item(item);
                }
                self.frames = frames;
                self.self_types = self_types;
                self.owners = owners;
                let facts = self
                    .scopes
                    .pop()
                    .map(ScopeBuilder::finish)
                    .unwrap_or_default();
                let decl = decl(Some(Box::new(facts)));
                self.scope().mods.push(decl);
            }
        }
    }

    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        let name = node.sig.ident.to_string();
        self.add_item(name.clone(), ItemKind::Fn, &node.vis, node.sig.ident.span());
        for attr in &node.attrs {
            self.visit_attribute(attr);
        }
        let owner = self.qualified_owner(&name);
        self.enter_fn(owner, &node.sig.inputs);
        self.visit_signature(&node.sig);
        self.visit_block(&node.block);
        self.leave_fn();
    }

    fn visit_item_struct(&mut self, node: &'ast syn::ItemStruct) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Struct, &node.vis, node.ident.span());
        self.owners.push((self.qualified_owner(&name), None));
        visit::visit_item_struct(self, node);
        self.owners.pop();
    }

    fn visit_item_enum(&mut self, node: &'ast syn::ItemEnum) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Enum, &node.vis, node.ident.span());
        for variant in &node.variants {
            self.add_item(
                format!("{name}::{}", variant.ident),
                ItemKind::Variant,
                &node.vis,
                variant.ident.span(),
            );
        }
        self.owners.push((self.qualified_owner(&name), None));
        self.self_types.push(Some(vec![name]));
        visit::visit_item_enum(self, node);
        self.self_types.pop();
        self.owners.pop();
    }

    fn visit_item_union(&mut self, node: &'ast syn::ItemUnion) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Union, &node.vis, node.ident.span());
        self.owners.push((self.qualified_owner(&name), None));
        visit::visit_item_union(self, node);
        self.owners.pop();
    }

    fn visit_item_trait(&mut self, node: &'ast syn::ItemTrait) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Trait, &node.vis, node.ident.span());
        self.owners.push((self.qualified_owner(&name), None));
        self.self_types.push(Some(vec![name]));
        visit::visit_item_trait(self, node);
        self.self_types.pop();
        self.owners.pop();
    }

    fn visit_trait_item_fn(&mut self, node: &'ast syn::TraitItemFn) {
        let owner = format!("{}::{}", self.owner().unwrap_or_default(), node.sig.ident);
        self.enter_fn(owner, &node.sig.inputs);
        visit::visit_trait_item_fn(self, node);
        self.leave_fn();
    }

    fn visit_item_type(&mut self, node: &'ast syn::ItemType) {
        let name = node.ident.to_string();
        self.add_item(
            name.clone(),
            ItemKind::TypeAlias,
            &node.vis,
            node.ident.span(),
        );
        self.owners.push((self.qualified_owner(&name), None));
        visit::visit_item_type(self, node);
        self.owners.pop();
    }

    fn visit_item_const(&mut self, node: &'ast syn::ItemConst) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Const, &node.vis, node.ident.span());
        self.owners.push((self.qualified_owner(&name), None));
        visit::visit_item_const(self, node);
        self.owners.pop();
    }

    fn visit_item_static(&mut self, node: &'ast syn::ItemStatic) {
        let name = node.ident.to_string();
        self.add_item(name.clone(), ItemKind::Static, &node.vis, node.ident.span());
        self.owners.push((self.qualified_owner(&name), None));
        visit::visit_item_static(self, node);
        self.owners.pop();
    }

    fn visit_item_macro(&mut self, node: &'ast syn::ItemMacro) {
        for attr in &node.attrs {
            self.visit_attribute(attr);
        }
        match &node.ident {
            // `macro_rules! name { .. }` defines a macro; its body is a pattern language, not code.
            Some(ident) if node.mac.path.is_ident("macro_rules") => {
                let fact = ItemFact {
                    name: ident.to_string(),
                    kind: ItemKind::Macro,
                    visibility: Visibility::Private,
                    line: line_of(ident.span()),
                    local_scope: self.local_scope(),
                    macro_export: node
                        .attrs
                        .iter()
                        .any(|attr| attr.path().is_ident("macro_export")),
                };
                self.scope().items.push(fact);
            }
            _ => {
                self.add_ref(&node.mac.path, RefKind::Macro);
                self.visit_item_macro_body(node.mac.tokens.clone());
            }
        }
    }

    fn visit_item_use(&mut self, node: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        flatten_use_tree(&node.tree, &mut Vec::new(), &mut leaves);
        let visibility = visibility(&node.vis);
        let local_scope = self.local_scope();
        for (path, alias, glob) in leaves {
            let fact = UseFact {
                path,
                global: node.leading_colon.is_some(),
                alias,
                glob,
                visibility: visibility.clone(),
                local_scope,
            };
            self.scope().uses.push(fact);
        }
    }

    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        for attr in &node.attrs {
            self.visit_attribute(attr);
        }
        self.visit_generics(&node.generics);
        let self_type = self.type_path(&node.self_ty);
        if let Some((path, _)) = &node.trait_ {
            self.add_ref(path, RefKind::Impl);
            self.visit_path_arguments_only(path);
        }
        self.visit_type(&node.self_ty);
        let type_name = self_type
            .as_ref()
            .and_then(|path| path.last().cloned())
            .unwrap_or_else(|| "_".to_string());
        let mut methods = Vec::new();
        self.self_types.push(self_type.clone());
        for item in &node.items {
            match item {
                syn::ImplItem::Fn(method) => {
                    methods.push(ImplMethod {
                        name: method.sig.ident.to_string(),
                        visibility: visibility(&method.vis),
                        line: line_of(method.sig.ident.span()),
                    });
                    for attr in &method.attrs {
                        self.visit_attribute(attr);
                    }
                    self.enter_fn(
                        format!("{type_name}::{}", method.sig.ident),
                        &method.sig.inputs,
                    );
                    self.visit_signature(&method.sig);
                    self.visit_block(&method.block);
                    self.leave_fn();
                }
                other => {
                    self.owners.push((type_name.clone(), None));
                    self.visit_impl_item(other);
                    self.owners.pop();
                }
            }
        }
        self.self_types.pop();
        let block = node.brace_token.span.join();
        let fact = ImplFact {
            self_type,
            methods,
            local_scope: self.local_scope(),
            lines: (line_of(node.impl_token.span), line_of_end(block)),
        };
        self.scope().impls.push(fact);
    }

    fn visit_expr_call(&mut self, node: &'ast syn::ExprCall) {
        for attr in &node.attrs {
            self.visit_attribute(attr);
        }
        let mut spawns = false;
        match &*node.func {
            syn::Expr::Path(path) if path.qself.is_none() => {
                self.add_ref(&path.path, RefKind::Call);
                self.visit_path_arguments_only(&path.path);
                spawns = path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| SPAWNERS.iter().any(|name| last.ident == name));
            }
            func => self.visit_expr(func),
        }
        let outer = self.task;
        if spawns {
            self.task = Some(RefKind::Spawn);
        }
        for arg in &node.args {
            self.visit_expr(arg);
        }
        self.task = outer;
    }

    fn visit_expr_path(&mut self, node: &'ast syn::ExprPath) {
        let mut buffer = std::mem::take(&mut self.path_buffer);
        let local = is_local_binding(&node.path, &self.frames, &mut buffer);
        self.path_buffer = buffer;
        if node.qself.is_none() && !local {
            self.add_ref(&node.path, RefKind::Value);
        }
        if let Some(qself) = &node.qself {
            self.visit_type(&qself.ty);
        }
        self.visit_path_arguments_only(&node.path);
    }

    fn visit_expr_struct(&mut self, node: &'ast syn::ExprStruct) {
        for attr in &node.attrs {
            self.visit_attribute(attr);
        }
        if node.qself.is_none() {
            self.add_ref(&node.path, RefKind::Construct);
        }
        self.visit_path_arguments_only(&node.path);
        for field in &node.fields {
            self.visit_expr(&field.expr);
        }
        if let Some(rest) = &node.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        let receiver_type = self.receiver_type(&node.receiver);
        let mut method = std::mem::take(&mut self.name_buffer);
        write_ident(&mut method, &node.method);
        self.add_method_call(&method, receiver_type);
        self.name_buffer = method;
        if SPAWNERS.iter().any(|name| node.method == name) {
            for attr in &node.attrs {
                self.visit_attribute(attr);
            }
            self.visit_expr(&node.receiver);
            if let Some(turbofish) = &node.turbofish {
                self.visit_angle_bracketed_generic_arguments(turbofish);
            }
            let outer = self.task.replace(RefKind::Spawn);
            for arg in &node.args {
                self.visit_expr(arg);
            }
            self.task = outer;
            return;
        }
        visit::visit_expr_method_call(self, node);
    }

    fn visit_expr_closure(&mut self, node: &'ast syn::ExprClosure) {
        // Closure parameters shadow outer bindings; typed ones are known.
        let mut bindings = HashMap::default();
        for input in &node.inputs {
            if let syn::Pat::Type(typed) = input
                && let (syn::Pat::Ident(ident), Some(ty)) = (&*typed.pat, self.type_path(&typed.ty))
            {
                bindings.insert(ident.ident.to_string(), ty);
            }
        }
        let scope = self.local_scope().unwrap_or(0);
        self.frames.push(FnFrame {
            scope,
            bindings,
            names: HashSet::default(),
        });
        visit::visit_expr_closure(self, node);
        self.frames.pop();
    }

    fn visit_local(&mut self, node: &'ast syn::Local) {
        visit::visit_local(self, node);
        let (pat, ty) = match &node.pat {
            syn::Pat::Type(typed) => (&*typed.pat, self.type_path(&typed.ty)),
            pat => (pat, None),
        };
        let syn::Pat::Ident(ident) = pat else { return };
        let ty = ty.or_else(|| {
            node.init
                .as_ref()
                .and_then(|init| self.receiver_type(&init.expr))
        });
        if let Some(frame) = self.frames.last_mut() {
            match ty {
                Some(ty) => {
                    frame.bindings.insert(ident.ident.to_string(), ty);
                }
                // A new binding without a known type shadows an older one.
                None => {
                    frame.bindings.remove(&ident.ident.to_string());
                }
            }
        }
    }

    fn visit_type_path(&mut self, node: &'ast syn::TypePath) {
        if let Some(qself) = &node.qself {
            self.visit_type(&qself.ty);
            // `<T as Trait>::Assoc`: the trait is the path's prefix.
            let mut trait_path = node.path.clone();
            while trait_path.segments.len() > qself.position {
                trait_path.segments.pop();
            }
            if !trait_path.segments.is_empty() {
                self.add_ref(&trait_path, RefKind::Type);
            }
        } else {
            self.add_ref(&node.path, RefKind::Type);
        }
        self.visit_path_arguments_only(&node.path);
    }

    fn visit_trait_bound(&mut self, node: &'ast syn::TraitBound) {
        self.add_ref(&node.path, RefKind::Type);
        self.visit_path_arguments_only(&node.path);
    }

    fn visit_pat_struct(&mut self, node: &'ast syn::PatStruct) {
        if node.qself.is_none() {
            self.add_ref(&node.path, RefKind::Value);
        }
        for field in &node.fields {
            self.visit_pat(&field.pat);
        }
    }

    fn visit_pat_tuple_struct(&mut self, node: &'ast syn::PatTupleStruct) {
        if node.qself.is_none() {
            self.add_ref(&node.path, RefKind::Value);
        }
        for elem in &node.elems {
            self.visit_pat(elem);
        }
    }

    fn visit_pat_ident(&mut self, node: &'ast syn::PatIdent) {
        let name = node.ident.to_string();
        if name.chars().next().is_some_and(char::is_uppercase) && node.subpat.is_none() {
            // `Pending =>` may name a unit variant or constant in scope: let resolution decide.
            let path = syn::Path::from(node.ident.clone());
            self.add_ref(&path, RefKind::Value);
        } else if let Some(frame) = self.frames.last_mut() {
            frame.names.insert(name);
        }
        if let Some((_, subpat)) = &node.subpat {
            self.visit_pat(subpat);
        }
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        self.add_ref(&node.path, RefKind::Macro);
        let joins = node
            .path
            .segments
            .last()
            .is_some_and(|last| JOINERS.iter().any(|name| last.ident == name));
        let outer = self.task;
        if joins && outer.is_none() {
            self.task = Some(RefKind::Join);
        }
        self.scan_macro_tokens(node.tokens.clone());
        self.task = outer;
    }

    fn visit_attribute(&mut self, _node: &'ast syn::Attribute) {
        // Attributes are not code: derives and framework attributes are read by the
        // collectors that need them.
    }

    fn visit_path(&mut self, node: &'ast syn::Path) {
        // Paths not reached through a more specific visitor (visibility paths, attribute
        // paths): only their generic arguments can hold references.
        self.visit_path_arguments_only(node);
    }
}

impl Collector {
    fn qualified_owner(&self, name: &str) -> String {
        match self.owners.last().map(|(name, _)| name) {
            // Items nested in a function body belong to that function for graph purposes.
            Some(owner) if !self.frames.is_empty() => owner.clone(),
            _ => name.to_string(),
        }
    }

    /// Visits the generic arguments of every segment (`Vec<Order>` holds `Order`).
    fn visit_path_arguments_only(&mut self, path: &syn::Path) {
        for segment in &path.segments {
            self.visit_path_arguments(&segment.arguments);
        }
    }
}

/// A single-segment path naming a binding of an enclosing function body (scoping is
/// approximated per body: a name bound anywhere in it counts). The name is written into
/// `buffer`, reused so that the check allocates nothing.
fn is_local_binding(path: &syn::Path, frames: &[FnFrame], buffer: &mut String) -> bool {
    if frames.is_empty()
        || path.segments.len() != 1
        || path.leading_colon.is_some()
        || !path.segments[0].arguments.is_none()
    {
        return false;
    }
    write_ident(buffer, &path.segments[0].ident);
    frames
        .iter()
        .any(|frame| frame.names.contains(buffer.as_str()))
}

/// Writes an identifier's text into `buffer` in place of what it held: reading a name this
/// way allocates nothing once the buffer has grown.
pub(crate) fn write_ident(buffer: &mut String, ident: &proc_macro2::Ident) {
    use std::fmt::Write;
    buffer.clear();
    let _ = write!(buffer, "{ident}");
}

pub(crate) fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

fn line_of_end(span: Span) -> u32 {
    u32::try_from(span.end().line).unwrap_or(u32::MAX)
}

pub(crate) fn visibility(vis: &syn::Visibility) -> Visibility {
    match vis {
        syn::Visibility::Public(_) => Visibility::Public,
        syn::Visibility::Restricted(restricted) => {
            let path = path_segments(&restricted.path).join("::");
            match path.as_str() {
                "crate" => Visibility::Crate,
                "super" => Visibility::Super,
                "self" => Visibility::Private,
                _ => Visibility::In(path),
            }
        }
        _ => Visibility::Private,
    }
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(name_value) if name_value.path.is_ident("path") => {
            match &name_value.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(value),
                    ..
                }) => Some(value.value()),
                _ => None,
            }
        }
        _ => None,
    })
}

fn cfg_attributes(attrs: &[syn::Attribute]) -> Option<String> {
    let cfgs: Vec<String> = attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::List(list) if list.path.is_ident("cfg") => Some(
                list.tokens
                    .to_string()
                    .replace(" (", "(")
                    .replace("( ", "(")
                    .replace(" )", ")"),
            ),
            _ => None,
        })
        .collect();
    (!cfgs.is_empty()).then(|| cfgs.join(" && "))
}

/// Flattens a `use` tree into (path, alias, glob, span) leaves.
fn flatten_use_tree(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>, bool)>,
) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use_tree(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let ident = name.ident.to_string();
            if ident == "self" {
                // `use a::{self}` imports `a`.
                out.push((prefix.clone(), None, false));
            } else {
                let mut path = prefix.clone();
                path.push(ident);
                out.push((path, None, false));
            }
        }
        syn::UseTree::Rename(rename) => {
            let ident = rename.ident.to_string();
            let mut path = prefix.clone();
            if ident != "self" {
                path.push(ident);
            }
            out.push((path, Some(rename.rename.to_string()), false));
        }
        syn::UseTree::Glob(_) => {
            out.push((prefix.clone(), None, true));
        }
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten_use_tree(tree, prefix, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::may_start_items;

    fn trees(source: &str) -> Vec<proc_macro2::TokenTree> {
        source
            .parse::<proc_macro2::TokenStream>()
            .unwrap()
            .into_iter()
            .collect()
    }

    /// The gate may only say no where syn cannot parse the body as items: what it refuses
    /// would otherwise have failed, so the facts cannot change.
    #[test]
    fn item_gate_refuses_only_what_syn_cannot_parse() {
        let bodies = [
            "",
            "pub struct A;",
            "#[derive(Debug)] struct A;",
            "#![allow(dead_code)] fn f() {}",
            "fn f() {}",
            "impl A { fn f(&self) {} }",
            "pub(crate) use a::b;",
            "unsafe impl Send for A {}",
            "async fn f() {}",
            "const _: () = ();",
            "static X: u8 = 0;",
            "extern crate core;",
            "mod m {}",
            "type T = u8;",
            "trait T {}",
            "enum E { A }",
            "union U { a: u8 }",
            "macro_rules! m { () => {} }",
            "inner! { struct A; }",
            "::path::inner! {}",
            "self::inner! {}",
            "if #[cfg(unix)] { fn f() {} } else { fn g() {} }",
            "A, B, C",
            "static ref X: u8 = 0;",
            "(a, b)",
            "[a]",
            "{ fn f() {} }",
            "1 + 1",
            "\"text\"",
            "$x:ident",
            "a == b",
            "_ => ()",
        ];
        for body in bodies {
            let parses = syn::parse_str::<syn::File>(body).is_ok();
            if parses {
                assert!(may_start_items(&trees(body)), "refused items: {body}");
            }
        }
        for refused in ["if #[cfg(unix)] { fn f() {} }", "A, B", "(a, b)", "1 + 1"] {
            assert!(!may_start_items(&trees(refused)), "{refused}");
        }
    }
}
