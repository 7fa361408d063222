//! Facts extracted from one parsed file: what it defines, imports and refers to.
//!
//! Facts own no syntax-tree types, so the tree can be dropped as soon as a file has been
//! visited: peak memory follows the facts, not the source. Paths are kept as written
//! (segments), to be resolved once every module tree is known. Facts do not know which module
//! a file is; `modtree` decides that.

/// The facts of one module scope: a file's top level, or an inline `mod x { .. }`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModFacts {
    pub items: Vec<ItemFact>,
    pub uses: Vec<UseFact>,
    pub refs: Vec<RefFact>,
    pub method_calls: Vec<MethodCallFact>,
    pub impls: Vec<ImplFact>,
    pub mods: Vec<ModDecl>,
    /// Names of the items that own references (`place_order`, `Order::total`), indexed by
    /// `RefFact::owner` and `MethodCallFact::owner`.
    pub owners: Vec<Box<str>>,
    /// Lines the scope spans: an inline module's block, or the whole file.
    pub lines: u32,
}

/// A named item defined in a module scope (or, with `local_scope`, inside a function body).
#[derive(Debug, Clone)]
pub(crate) struct ItemFact {
    pub name: String,
    pub kind: ItemKind,
    pub visibility: Visibility,
    pub line: u32,
    /// Set for items declared inside a function body: visible only there.
    pub local_scope: Option<u32>,
    /// `#[macro_export]` on a `macro_rules!`.
    pub macro_export: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ItemKind {
    Fn,
    Struct,
    Enum,
    Union,
    Trait,
    TypeAlias,
    Const,
    Static,
    Macro,
    /// An enum variant, named `Enum::Variant`.
    Variant,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Fn => "fn",
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Union => "union",
            ItemKind::Trait => "trait",
            ItemKind::TypeAlias => "type",
            ItemKind::Const => "const",
            ItemKind::Static => "static",
            ItemKind::Macro => "macro",
            ItemKind::Variant => "variant",
        }
    }

    /// Whether a path can go through it to reach associated items or variants.
    pub fn is_type(self) -> bool {
        matches!(
            self,
            ItemKind::Struct
                | ItemKind::Enum
                | ItemKind::Union
                | ItemKind::Trait
                | ItemKind::TypeAlias
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Visibility {
    Public,
    Crate,
    Super,
    In(String),
    Private,
}

impl Visibility {
    pub fn as_str(&self) -> String {
        match self {
            Visibility::Public => "pub".to_string(),
            Visibility::Crate => "pub(crate)".to_string(),
            Visibility::Super => "pub(super)".to_string(),
            Visibility::In(path) => format!("pub(in {path})"),
            Visibility::Private => "private".to_string(),
        }
    }
}

/// One leaf of a `use` tree: `use a::b::{c as d, e::*};` gives `a::b::c as d` and `a::b::e::*`.
#[derive(Debug, Clone)]
pub(crate) struct UseFact {
    pub path: Vec<String>,
    /// Leading `::` (a path from the extern prelude).
    pub global: bool,
    /// `as name`; `_` imports nothing by name.
    pub alias: Option<String>,
    pub glob: bool,
    pub visibility: Visibility,
    pub local_scope: Option<u32>,
}

impl UseFact {
    /// The name this import binds, if any (`use a::b;` binds `b`; `use a::b as _;` nothing;
    /// `use a::{self}` binds `a`).
    pub fn binding(&self) -> Option<&str> {
        if self.glob {
            return None;
        }
        match self.alias.as_deref() {
            Some("_") => None,
            Some(alias) => Some(alias),
            None => self.path.last().map(String::as_str),
        }
    }
}

/// A path written in code, with how many times the same path is written in the same place
/// (same kind, function body and owner): facts are deduplicated as they are collected.
#[derive(Debug, Clone)]
pub(crate) struct RefFact {
    /// Segments joined with `::`.
    pub path: Box<str>,
    pub global: bool,
    pub kind: RefKind,
    pub local_scope: Option<u32>,
    /// Index into `ModFacts::owners` of the item whose body or signature holds the reference,
    /// for item-level graphs. `None` at module level.
    pub owner: Option<u32>,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum RefKind {
    /// `f(..)`, `Type::new(..)`.
    Call,
    /// A type in a signature, field, `let` annotation, generic argument.
    Type,
    /// `Type { .. }`.
    Construct,
    /// `m!(..)`.
    Macro,
    /// `impl Trait for ..`: the trait.
    Impl,
    /// Any other value path: a constant, a unit variant, a function passed as a value.
    Value,
    /// A call inside what is handed to a spawn function (`tokio::spawn(run(..))`,
    /// `thread::spawn(move || run(..))`, `set.spawn(..)`): a function run as its own task.
    Spawn,
    /// A call inside `join!`, `try_join!` or `select!`: run concurrently with the others.
    Join,
}

/// `receiver.method(..)`.
#[derive(Debug, Clone)]
pub(crate) struct MethodCallFact {
    pub method: Box<str>,
    /// The receiver's type path (segments joined with `::`) when the syntax shows it (`self`,
    /// an annotated binding or parameter, `Type::new(..)`, `Type { .. }`).
    pub receiver_type: Option<Box<str>>,
    pub local_scope: Option<u32>,
    pub owner: Option<u32>,
    pub count: u32,
}

/// An `impl` block.
#[derive(Debug, Clone)]
pub(crate) struct ImplFact {
    pub self_type: Option<Vec<String>>,
    pub methods: Vec<ImplMethod>,
    pub local_scope: Option<u32>,
    /// First and last line of the block, to tell what `Self` means at a line.
    pub lines: (u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct ImplMethod {
    pub name: String,
    pub visibility: Visibility,
    pub line: u32,
}

/// `mod name;` or `mod name { .. }`.
#[derive(Debug, Clone)]
pub(crate) struct ModDecl {
    pub name: String,
    pub line: u32,
    /// `#[path = ".."]`.
    pub path_attr: Option<String>,
    /// `#[cfg(..)]` attributes, as written, joined with ` && `.
    pub cfg: Option<String>,
    /// The body of an inline module.
    pub inline: Option<Box<ModFacts>>,
}
