//! The code model the generator reads: items, the references between them, route handlers
//! and table accesses, as plain data. The CLI fills it from an item-level analysis, so that
//! this crate does not depend on the analyzer; tests build it by hand.

use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct CodeModel {
    /// Ids of every module (the ends of module-level references).
    pub modules: Vec<String>,
    /// Where each module's code is, for `--move`.
    pub module_sources: Vec<ModuleSource>,
    /// Ids of the modules that are test code (`#[cfg(test)]` on them or around them): their
    /// functions are not operations, and their calls do not make one.
    pub test_modules: Vec<String>,
    pub items: Vec<CodeItem>,
    pub references: Vec<Reference>,
    pub handlers: Vec<Handler>,
    pub accesses: Vec<TableAccess>,
}

/// A module and where its code is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSource {
    pub id: String,
    /// Rust path (`crate_name::a::b`).
    pub path: String,
    /// The file holding its items, relative to the monolith's folder; an inline module has
    /// its parent's file.
    pub file: String,
    /// Line of its `mod` item (inline modules), 1 for a file's top.
    pub line: u32,
    pub parent: Option<String>,
}

/// A named item: `fn`, `method`, `struct`, `enum`, `union`, `type`, `trait`, `const`,
/// `static`, `macro` or `variant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeItem {
    /// `crate_name::module::name`, `crate_name::module::Type::method` for methods.
    pub path: String,
    pub kind: String,
    /// Id of the module it is declared in.
    pub module: String,
    /// Relative to the monolith's folder.
    pub file: String,
    /// Line of its name.
    pub line: u32,
}

/// A resolved reference from an item (or a module, for module-level code) to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub from: String,
    pub to: String,
    /// `call`, `method`, `inferred_method`, `type`, `construct`, `import`, `impl`, `macro`.
    pub kind: String,
}

/// A function that serves an HTTP route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handler {
    pub method: String,
    pub path: String,
    /// Item path of the handler.
    pub handler: String,
    pub module: String,
    pub file: String,
    pub line: u32,
    /// `axum`, `actix-web`, `rocket` or `utoipa`.
    pub framework: String,
}

/// A module reading or writing a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableAccess {
    pub module: String,
    pub table: String,
    pub write: bool,
    pub file: String,
    pub line: u32,
    /// Every line of `file` where it happens, ascending.
    pub lines: Vec<u32>,
}
