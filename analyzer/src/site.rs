//! Where a fact was found inside one file, and the name-resolution service that turns paths
//! written there into items of the analysed code.
//!
//! Collectors (`routes`, `data`, the reference collector) run on one parsed file at a time and
//! know nothing of module trees: they record a [`Site`]. Later, once every file is parsed and
//! every module tree built, assembly steps ask a [`Resolve`] implementation what a path means
//! at that site.

/// A position inside one file: the chain of inline `mod name { .. }` blocks around it (empty
/// at the file's top level) and the 1-based line.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub inline_mods: Vec<String>,
    pub line: u32,
}

impl Site {
    pub fn new(inline_mods: &[String], line: u32) -> Site {
        Site {
            inline_mods: inline_mods.to_vec(),
            line,
        }
    }
}

/// An item of the analysed code that a path resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedItem {
    /// Full path, `crate_name::module::item` (methods: `crate_name::module::Type::method`).
    pub path: String,
    /// Id of the module that defines it (see `model::Module::id`).
    pub module: String,
    /// `fn`, `struct`, `enum`, `method`, `mod`, ... as in `model::Item::kind`.
    pub kind: String,
    pub file: String,
    pub line: u32,
}

/// Name resolution as assembly steps see it. `file` is the path relative to the analysed
/// folder, as in the output model.
pub trait Resolve {
    /// What `path` (segments as written: `["catalog", "handlers", "routes"]`, or
    /// `["crate", "app", "router"]`, or `["Self", "new"]`) names when written at `site` in
    /// `file`. `None` for external items (std, crates.io) and for what cannot be resolved.
    fn resolve(&self, file: &str, site: &Site, path: &[String]) -> Option<ResolvedItem>;

    /// Id of the module whose code is at `site` in `file`, if the file is in a module tree.
    fn module_at(&self, file: &str, site: &Site) -> Option<String>;
}
