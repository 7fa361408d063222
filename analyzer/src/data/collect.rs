//! The one pass over a parsed file: finds SQL text, diesel and SeaORM constructs and records
//! them with their [`Site`], then settles what needs the whole file (consts that `format!`
//! templates use, `use` imports of diesel tables) on the collected facts, without the tree.
//!
//! SQL text counts where it is written: a literal (or `format!`, `concat!`) given to a
//! database method or function (`execute`, `query_row`, `prepare`, `batch_execute`,
//! `sqlx::query`, `query_as!`, `sql_query`, ..) is SQL and a statement in it that does not
//! parse is a warning; any other literal that starts like SQL counts if it parses. A const
//! whose text a `format!` template splices in is counted in that template, not on its own.
//! Macro bodies are read as comma-separated expressions when they parse so, otherwise only
//! their string literals are looked at. Attributes (and so doc comments) are never SQL.
//!
//! It deliberately does not track SQL through variables or function parameters
//! (`let sql = ..; conn.execute(&sql, ..)` counts at the literal, which is the same place),
//! and it does not read `sqlx::query_file!` files (a note says so).

use std::collections::{HashMap, HashSet};

use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Macro, MacroDelimiter, Pat, Token, Type, UseTree};

use super::diesel::{self, DieselFacts, Mention};
use super::literal::{self, SqlSource};
use super::seaorm::{self, Alias, Call, Entity, Relation, SeaFacts};
use super::settle::{self, BareMention, Collected, DieselImport, Piece};
use super::sql::Certainty;
use super::{FileData, LocalDiagnostic, Mode, line_of};
use crate::collect::write_ident;
use crate::model::Severity;
use crate::site::Site;

/// `text` is the source `file` was parsed from; macro bodies are read from it (see
/// [`Collector::may_hold_data`]).
pub(super) fn collect(file: &syn::File, text: &str) -> FileData {
    let mut collector = Collector {
        source: SourceText::new(text),
        ..Collector::default()
    };
    collector.visit_file(file);
    collector.finish()
}

/// Methods whose first argument is SQL: rusqlite, postgres / tokio-postgres, sqlx
/// `Executor`, SeaORM `ConnectionTrait`.
const SQL_METHODS: [&str; 26] = [
    "execute",
    "execute_batch",
    "execute_raw",
    "execute_unprepared",
    "batch_execute",
    "simple_query",
    "query",
    "query_row",
    "query_map",
    "query_and_then",
    "query_row_and_then",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "query_typed_raw",
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "prepare_typed_cached",
    "fetch",
    "fetch_all",
    "fetch_one",
    "fetch_optional",
    "fetch_many",
    "execute_many",
];

/// Functions and which argument is SQL: sqlx, diesel `sql_query`, SeaORM `Statement`.
fn sql_function_argument(name: &str) -> Option<usize> {
    match name {
        "query" | "query_as" | "query_scalar" | "query_with" | "query_as_with"
        | "query_scalar_with" | "raw_sql" | "sql_query" => Some(0),
        "from_string" | "from_sql_and_values" => Some(1),
        _ => None,
    }
}

/// sqlx macros and which argument is SQL.
fn sqlx_macro_argument(name: &str) -> Option<usize> {
    match name {
        "query" | "query_scalar" | "query_unchecked" | "query_scalar_unchecked" => Some(0),
        "query_as" | "query_as_unchecked" => Some(1),
        _ => None,
    }
}

fn is_sqlx_file_macro(name: &str) -> bool {
    name.starts_with("query_file")
}

#[derive(Default)]
struct Collector<'t> {
    /// The file's text, when spans point into it.
    source: Option<SourceText<'t>>,
    inline_mods: Vec<String>,
    /// The Rust statement (or item) being visited; numbered per file.
    unit: u32,
    n_units: u32,
    /// The diesel write call whose table argument is being visited.
    write_call: Option<u32>,
    n_write_calls: u32,
    /// Diesel mentions so far, paths and bare names together.
    n_mentions: u32,
    pieces: Vec<Piece>,
    /// Text of string consts and statics by name; `None` when two disagree.
    consts: HashMap<String, Option<String>>,
    diesel: DieselFacts,
    bare_mentions: Vec<BareMention>,
    diesel_imports: Vec<DieselImport>,
    sea: SeaFacts,
    diagnostics: Vec<LocalDiagnostic>,
    /// Names bound by patterns in each enclosing function, innermost last.
    bindings: Vec<HashSet<String>>,
    /// Active models bound by `let` in each enclosing function: name to its type path.
    active_models: Vec<HashMap<String, Vec<String>>>,
    /// Reused to read an identifier's text without allocating.
    name_buffer: String,
}

impl Collector<'_> {
    fn site(&self, line: u32) -> Site {
        Site::new(&self.inline_mods, line)
    }

    fn piece(&mut self, source: SqlSource, span: proc_macro2::Span, certainty: Certainty) {
        let site = self.site(line_of(span));
        self.pieces.push(Piece {
            site,
            source,
            certainty,
            const_name: None,
        });
    }

    /// Records `expr` as SQL if it spells text; returns whether it did.
    fn sql_argument(&mut self, expr: &Expr) -> bool {
        match literal::sql_source(expr) {
            Some((source, span)) => {
                self.piece(source, span, Certainty::Sql);
                true
            }
            None => false,
        }
    }

    fn string_const(&mut self, name: &syn::Ident, expr: &Expr) -> bool {
        let Expr::Lit(lit) = expr else {
            return false;
        };
        let Lit::Str(literal) = &lit.lit else {
            return false;
        };
        let value = literal.value();
        let name = name.to_string();
        let entry = self
            .consts
            .entry(name.clone())
            .or_insert_with(|| Some(value.clone()));
        if entry.as_ref() != Some(&value) {
            *entry = None;
        }
        let site = self.site(line_of(literal.span()));
        self.pieces.push(Piece {
            site,
            source: SqlSource::Text(literal::LiteralText::new(literal)),
            certainty: Certainty::LooksLikeSql,
            const_name: Some(name),
        });
        true
    }

    fn with_unit(&mut self, visit: impl FnOnce(&mut Self)) {
        let saved = self.unit;
        self.n_units += 1;
        self.unit = self.n_units;
        visit(self);
        self.unit = saved;
    }

    fn in_function(&mut self, visit: impl FnOnce(&mut Self)) {
        self.bindings.push(HashSet::new());
        self.active_models.push(HashMap::new());
        visit(self);
        self.bindings.pop();
        self.active_models.pop();
    }

    fn in_write_call(&mut self, arg: &Expr) {
        self.n_write_calls += 1;
        let saved = self.write_call.replace(self.n_write_calls);
        self.visit_expr(arg);
        self.write_call = saved;
    }

    /// Whether `ident` names a pattern binding of an enclosing function.
    fn is_bound_ident(&mut self, ident: &syn::Ident) -> bool {
        if self.bindings.iter().all(HashSet::is_empty) {
            return false;
        }
        let mut name = std::mem::take(&mut self.name_buffer);
        write_ident(&mut name, ident);
        let bound = self
            .bindings
            .iter()
            .any(|names| names.contains(name.as_str()));
        self.name_buffer = name;
        bound
    }

    fn sea_call(&mut self, path: Vec<String>, line: u32, mode: Mode) {
        let site = self.site(line);
        self.sea.calls.push(Call {
            site,
            unit: self.unit,
            path,
            mode,
        });
    }

    /// The entity path of an active model a write method is called on, if known here.
    fn active_model_path(&self, receiver: &Expr) -> Option<Vec<String>> {
        match receiver {
            Expr::Struct(literal) if last_is(&literal.path, "ActiveModel") => {
                Some(path_names(&literal.path))
            }
            Expr::Path(path) => {
                let name = path.path.get_ident()?.to_string();
                self.active_models.last()?.get(&name).cloned()
            }
            Expr::Paren(paren) => self.active_model_path(&paren.expr),
            _ => None,
        }
    }

    fn visit_macro_args(&mut self, mac: &Macro, skip: Option<usize>) {
        match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            Ok(args) => {
                for (idx, arg) in args.iter().enumerate() {
                    if Some(idx) != skip {
                        self.visit_expr(arg);
                    }
                }
            }
            Err(_) => self.scan_tokens(mac.tokens.clone()),
        }
    }

    /// String literals of a macro body that is not made of expressions.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        for tree in tokens {
            match tree {
                TokenTree::Group(group) => self.scan_tokens(group.stream()),
                TokenTree::Literal(token) => {
                    if let Lit::Str(literal) = Lit::new(token) {
                        let source = SqlSource::Text(literal::LiteralText::new(&literal));
                        self.piece(source, literal.span(), Certainty::LooksLikeSql);
                    }
                }
                TokenTree::Ident(_) | TokenTree::Punct(_) => {}
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            UseTree::Name(name) => self.use_leaf(prefix, &name.ident, &name.ident),
            UseTree::Rename(rename) => self.use_leaf(prefix, &rename.ident, &rename.rename),
            UseTree::Glob(_) => {
                if let [.., table, dsl] = prefix.as_slice()
                    && dsl == "dsl"
                {
                    self.diesel_imports.push(DieselImport {
                        inline_mods: self.inline_mods.clone(),
                        name: table.clone(),
                        table: table.clone(),
                    });
                }
            }
            UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn use_leaf(&mut self, prefix: &[String], ident: &syn::Ident, local: &syn::Ident) {
        let ident_name = ident.to_string();
        if let [.., table, dsl] = prefix
            && dsl == "dsl"
            && *table == ident_name
        {
            self.diesel_imports.push(DieselImport {
                inline_mods: self.inline_mods.clone(),
                name: local.to_string(),
                table: table.clone(),
            });
        }
        if ident_name == "Entity" && !prefix.is_empty() {
            let mut path = prefix.to_vec();
            path.push(ident_name);
            let site = self.site(line_of(local.span()));
            self.sea.aliases.push(Alias {
                name: local.to_string(),
                site,
                path,
            });
        }
    }

    /// Hands what was collected over to be settled; the tree is no longer needed.
    fn finish(self) -> FileData {
        settle::settle(Collected {
            pieces: self.pieces,
            consts: self.consts,
            diesel: self.diesel,
            bare_mentions: self.bare_mentions,
            diesel_imports: self.diesel_imports,
            sea: self.sea,
            diagnostics: self.diagnostics,
        })
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Doc comments and attribute arguments are never SQL; SeaORM attributes are read by
        // the items that carry them.
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.with_unit(|this| visit::visit_item(this, item));
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        self.with_unit(|this| visit::visit_stmt(this, stmt));
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.inline_mods.push(item.ident.to_string());
            visit::visit_item_mod(self, item);
            self.inline_mods.pop();
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.in_function(|this| visit::visit_item_fn(this, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.in_function(|this| visit::visit_impl_item_fn(this, item));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.in_function(|this| visit::visit_trait_item_fn(this, item));
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        if !self.string_const(&item.ident, &item.expr) {
            visit::visit_item_const(self, item);
        }
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        if !self.string_const(&item.ident, &item.expr) {
            visit::visit_item_static(self, item);
        }
    }

    fn visit_impl_item_const(&mut self, item: &'ast syn::ImplItemConst) {
        if !self.string_const(&item.ident, &item.expr) {
            visit::visit_impl_item_const(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        if let Some(table) = seaorm::table_name(&item.attrs) {
            let site = self.site(line_of(item.struct_token.span));
            let renamed_columns = seaorm::renamed_columns(&item.fields);
            self.sea.entities.push(Entity {
                table,
                site,
                renamed_columns,
            });
        }
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        for (target, from_columns, span) in seaorm::belongs_to(item) {
            let site = self.site(line_of(span));
            self.sea.relations.push(Relation {
                site,
                target,
                from_columns,
            });
        }
        visit::visit_item_enum(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        // `impl EntityName for Entity { fn table_name(&self) -> &str { "cake" } }`
        if let Some((trait_path, _)) = &item.trait_
            && last_is(trait_path, "EntityName")
        {
            for impl_item in &item.items {
                if let syn::ImplItem::Fn(function) = impl_item
                    && function.sig.ident == "table_name"
                    && let Some(syn::Stmt::Expr(Expr::Lit(lit), None)) = function.block.stmts.last()
                    && let Lit::Str(literal) = &lit.lit
                {
                    let site = self.site(line_of(literal.span()));
                    self.sea.entities.push(Entity {
                        table: literal.value(),
                        site,
                        renamed_columns: Vec::new(),
                    });
                }
            }
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        // The value first: in `let users = users.load(..)` the right side is the table.
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        let (pat, ty) = match &local.pat {
            Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
            other => (other, None),
        };
        if let Pat::Ident(binding) = pat {
            let typed = ty.and_then(|ty| match ty {
                Type::Path(path) if last_is(&path.path, "ActiveModel") => {
                    Some(path_names(&path.path))
                }
                _ => None,
            });
            let built = local.init.as_ref().and_then(|init| match &*init.expr {
                Expr::Struct(literal) if last_is(&literal.path, "ActiveModel") => {
                    Some(path_names(&literal.path))
                }
                _ => None,
            });
            if let Some(models) = self.active_models.last_mut() {
                match typed.or(built) {
                    Some(path) => models.insert(binding.ident.to_string(), path),
                    None => models.remove(&binding.ident.to_string()),
                };
            }
        }
        self.visit_pat(&local.pat);
    }

    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        if let Some(names) = self.bindings.last_mut() {
            names.insert(pat.ident.to_string());
        }
        visit::visit_pat_ident(self, pat);
    }

    fn visit_expr_lit(&mut self, expr: &'ast syn::ExprLit) {
        if let Lit::Str(literal) = &expr.lit {
            let source = SqlSource::Text(literal::LiteralText::new(literal));
            self.piece(source, literal.span(), Certainty::LooksLikeSql);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let mut method = std::mem::take(&mut self.name_buffer);
        write_ident(&mut method, &call.method);
        let is_sql_method = SQL_METHODS.contains(&method.as_str());
        let is_write_method = diesel::WRITE_METHODS.contains(&method.as_str());
        let is_related_method = seaorm::is_related_entity_method(&method);
        let is_active_model_write = seaorm::is_active_model_write(&method);
        self.name_buffer = method;
        if is_sql_method
            && let Some(first) = call.args.first()
            && self.sql_argument(first)
        {
            self.visit_expr(&call.receiver);
            for arg in call.args.iter().skip(1) {
                self.visit_expr(arg);
            }
            return;
        }
        if is_write_method && let Some(first) = call.args.first() {
            self.visit_expr(&call.receiver);
            self.in_write_call(first);
            for arg in call.args.iter().skip(1) {
                self.visit_expr(arg);
            }
            return;
        }
        let line = line_of(call.method.span());
        if is_related_method
            && let Some(Expr::Path(path)) = call.args.first()
            && path.qself.is_none()
            && is_type_like(&path.path)
        {
            self.sea_call(path_names(&path.path), line, Mode::Read);
        }
        if is_active_model_write && let Some(path) = self.active_model_path(&call.receiver) {
            self.sea_call(path, line, Mode::Write);
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let Expr::Path(func) = &*call.func else {
            visit::visit_expr_call(self, call);
            return;
        };
        let Some(last) = func.path.segments.last() else {
            visit::visit_expr_call(self, call);
            return;
        };
        let mut name = std::mem::take(&mut self.name_buffer);
        write_ident(&mut name, &last.ident);
        let sql_argument_idx = sql_function_argument(&name);
        let is_write_function = diesel::WRITE_FUNCTIONS.contains(&name.as_str());
        let entity_call_mode = seaorm::entity_call_mode(&name);
        self.name_buffer = name;
        let segments = &func.path.segments;
        if let Some(sql_idx) = sql_argument_idx
            && let Some(arg) = call.args.iter().nth(sql_idx)
            && self.sql_argument(arg)
        {
            for (idx, other) in call.args.iter().enumerate() {
                if idx != sql_idx {
                    self.visit_expr(other);
                }
            }
            return;
        }
        if is_write_function
            && (segments.len() == 1 || segments[0].ident == "diesel")
            && let Some(first) = call.args.first()
        {
            self.in_write_call(first);
            for arg in call.args.iter().skip(1) {
                self.visit_expr(arg);
            }
            return;
        }
        if let Some(mode) = entity_call_mode
            && segments.len() >= 2
            && starts_upper(&segments[segments.len() - 2].ident, &mut self.name_buffer)
        {
            let mut names = path_names(&func.path);
            names.pop();
            let line = first_line(&func.path);
            self.sea_call(names, line, mode);
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        if expr.qself.is_none() {
            let line = first_line(&expr.path);
            let segments = &expr.path.segments;
            if let Some(table) = diesel::table_in_path(&expr.path) {
                self.n_mentions += 1;
                let mention = Mention {
                    site: self.site(line),
                    unit: self.unit,
                    ident: table,
                    write_call: self.write_call,
                    order: self.n_mentions,
                };
                self.diesel.mentions.push(mention);
            } else if segments.len() == 1
                && let Some(segment) = segments.first()
                && !self.is_bound_ident(&segment.ident)
            {
                self.n_mentions += 1;
                let mention = BareMention {
                    site: self.site(line),
                    unit: self.unit,
                    name: segment.ident.to_string(),
                    write_call: self.write_call,
                    order: self.n_mentions,
                };
                self.bare_mentions.push(mention);
            }
        }
        visit::visit_expr_path(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let mut name = std::mem::take(&mut self.name_buffer);
        write_ident(&mut name, &last.ident);
        self.visit_macro_named(mac, &name);
        self.name_buffer = name;
    }
}

impl Collector<'_> {
    /// [`Visit::visit_macro`] for a macro whose last path segment is `name`.
    fn visit_macro_named(&mut self, mac: &Macro, name: &str) {
        let line = first_line(&mac.path);
        match name {
            "table" => self
                .diesel
                .tables
                .extend(diesel::tables(mac.tokens.clone())),
            "joinable" => self
                .diesel
                .joinables
                .extend(diesel::joinable(mac.tokens.clone())),
            "allow_tables_to_appear_in_same_query"
            | "allow_columns_to_appear_in_same_group_by_clause" => {}
            name if is_sqlx_file_macro(name) => self.diagnostics.push(LocalDiagnostic {
                severity: Severity::Info,
                line,
                message: format!("`{name}!` reads SQL from a file: its tables are not counted"),
            }),
            name if sqlx_macro_argument(name).is_some() => {
                let sql_idx = sqlx_macro_argument(name);
                match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                    Ok(args) => {
                        let sql = sql_idx.and_then(|idx| args.iter().nth(idx));
                        let recorded = sql.is_some_and(|arg| self.sql_argument(arg));
                        for (idx, arg) in args.iter().enumerate() {
                            if !(recorded && Some(idx) == sql_idx) {
                                self.visit_expr(arg);
                            }
                        }
                    }
                    Err(_) => self.scan_tokens(mac.tokens.clone()),
                }
            }
            "format" | "format_args" | "write" | "writeln" => {
                let template_idx = usize::from(name == "write" || name == "writeln");
                match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                    Ok(args) => match literal::format_template(&args, template_idx) {
                        Some((source, span)) => {
                            self.piece(source, span, Certainty::LooksLikeSql);
                            self.visit_macro_args(mac, Some(template_idx));
                        }
                        None => self.visit_macro_args(mac, None),
                    },
                    Err(_) => self.scan_tokens(mac.tokens.clone()),
                }
            }
            "concat" => match literal::macro_source(mac) {
                Some((source, span)) => self.piece(source, span, Certainty::LooksLikeSql),
                None => self.visit_macro_args(mac, None),
            },
            _ if !self.may_hold_data(mac) => {}
            _ => self.visit_macro_args(mac, None),
        }
    }
}

/// Names through which code reaches data, besides [`SQL_METHODS`] and the SQL functions:
/// diesel's table paths and write functions, SeaORM's entity operations.
const DATA_NAMES: [&str; 18] = [
    "table",
    "dsl",
    "insert_into",
    "replace_into",
    "insert_or_ignore_into",
    "update",
    "delete",
    "find",
    "find_by_id",
    "find_also_related",
    "find_with_related",
    "insert",
    "insert_many",
    "update_many",
    "delete_many",
    "delete_by_id",
    "Entity",
    "ActiveModel",
];

impl Collector<'_> {
    /// Whether a macro body can hold anything this collector looks for: a string literal that
    /// starts like SQL, or a name data access goes through. A token scan is much cheaper than
    /// parsing the bodies of the many macros (`assert!`, `quote!`, `vec!`) that hold neither.
    /// A file that imports a diesel `dsl` is always parsed: any bare name may be a table.
    ///
    /// The body is read from the file's text where its span points into it: iterating a
    /// `TokenStream` the tree still holds copies every token, and this gate sees every macro
    /// of every file.
    fn may_hold_data(&self, mac: &Macro) -> bool {
        if !self.diesel_imports.is_empty() {
            return true;
        }
        match self
            .source
            .as_ref()
            .and_then(|source| source.macro_body(mac))
        {
            Some(body) => text_may_hold_data(body),
            None => tokens_may_hold_data(&mac.tokens),
        }
    }
}

/// A file's text, to read what a span covers. Spans give lines and columns (in characters);
/// line starts are found once per file, on first use.
#[derive(Default)]
struct SourceText<'t> {
    text: &'t str,
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> SourceText<'t> {
    /// `None` for the rare file whose spans do not count from its first byte: syn drops a
    /// byte order mark and a `#!` line before parsing.
    fn new(text: &'t str) -> Option<SourceText<'t>> {
        let shebang = text.starts_with("#!") && !text.starts_with("#![");
        (!text.starts_with('\u{feff}') && !shebang).then(|| SourceText {
            text,
            line_starts: std::cell::OnceCell::new(),
        })
    }

    /// A macro's body with its delimiters, as written; `None` when its span does not point
    /// at it (tokens made by code rather than read from the file).
    fn macro_body(&self, mac: &Macro) -> Option<&'t str> {
        let span = mac.delimiter.span();
        let start = self.offset(span.open().start())?;
        let end = self.offset(span.close().end())?;
        let body = self.text.get(start..end)?;
        let (open, close) = match mac.delimiter {
            MacroDelimiter::Paren(_) => ('(', ')'),
            MacroDelimiter::Brace(_) => ('{', '}'),
            MacroDelimiter::Bracket(_) => ('[', ']'),
        };
        (body.len() >= 2 && body.starts_with(open) && body.ends_with(close)).then_some(body)
    }

    /// Byte offset of a line (from 1) and column (in characters, from 0).
    fn offset(&self, at: proc_macro2::LineColumn) -> Option<usize> {
        let line_starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|idx| idx + 1))
                .collect()
        });
        let start = *line_starts.get(at.line.checked_sub(1)?)?;
        let line = self.text.get(start..)?;
        match line.as_bytes().get(..at.column) {
            Some(prefix) if prefix.is_ascii() => Some(start + at.column),
            _ => line
                .char_indices()
                .map(|(idx, _)| idx)
                .chain(std::iter::once(line.len()))
                .nth(at.column)
                .map(|idx| start + idx),
        }
    }
}

/// [`tokens_may_hold_data`] on source text: a word that names a way to data, or a `"`
/// followed by text that starts like SQL. Every identifier and literal of the tokens is in
/// the text at the same place, so this says yes wherever the token scan does; comments and
/// what follows a closing quote are read too, which can only add a yes (and the collector then
/// finds nothing, as it would have in the tokens).
fn text_may_hold_data(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() {
        let byte = bytes[idx];
        if byte == b'"' {
            if super::sql::looks_like_sql(&text[idx + 1..]) {
                return true;
            }
            idx += 1;
        } else if byte.is_ascii_alphanumeric() || byte == b'_' {
            let start = idx;
            while idx < bytes.len() && (bytes[idx].is_ascii_alphanumeric() || bytes[idx] == b'_') {
                idx += 1;
            }
            if is_data_name(&text[start..idx]) {
                return true;
            }
        } else {
            idx += 1;
        }
    }
    false
}

/// Whether an identifier is one data access goes through.
fn is_data_name(name: &str) -> bool {
    DATA_NAMES.contains(&name)
        || SQL_METHODS.contains(&name)
        || sql_function_argument(name).is_some()
}

fn tokens_may_hold_data(tokens: &TokenStream) -> bool {
    tokens_may_hold_data_with(tokens, &mut String::new())
}

/// [`tokens_may_hold_data`], writing each token's text into one reused `buffer`.
fn tokens_may_hold_data_with(tokens: &TokenStream, buffer: &mut String) -> bool {
    use std::fmt::Write;
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Group(group) => tokens_may_hold_data_with(&group.stream(), buffer),
        TokenTree::Literal(literal) => {
            buffer.clear();
            let _ = write!(buffer, "{literal}");
            let body = buffer
                .trim_start_matches(['r', 'b', 'c', '#'])
                .trim_start_matches('"');
            super::sql::looks_like_sql(body)
        }
        TokenTree::Ident(ident) => {
            buffer.clear();
            let _ = write!(buffer, "{ident}");
            is_data_name(buffer.as_str())
        }
        TokenTree::Punct(_) => false,
    })
}

/// Whether an identifier starts with an upper-case letter, read through `buffer`.
fn starts_upper(ident: &syn::Ident, buffer: &mut String) -> bool {
    write_ident(buffer, ident);
    buffer.starts_with(|ch: char| ch.is_uppercase())
}

fn path_names(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

/// Line of a path's first segment.
fn first_line(path: &syn::Path) -> u32 {
    path.segments
        .first()
        .map_or(0, |segment| line_of(segment.ident.span()))
}

fn last_is(path: &syn::Path, name: &str) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

/// `Cake`, `cake::Entity`: a path whose last segment is capitalised.
fn is_type_like(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|segment| {
        segment
            .ident
            .to_string()
            .starts_with(|ch: char| ch.is_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::{SourceText, text_may_hold_data, tokens_may_hold_data};

    /// Each macro of `text` and the body the text gate reads for it.
    fn bodies(text: &str) -> Vec<Option<String>> {
        struct Macros(Vec<syn::Macro>);
        impl<'ast> syn::visit::Visit<'ast> for Macros {
            fn visit_macro(&mut self, mac: &'ast syn::Macro) {
                self.0.push(mac.clone());
            }
        }
        let file = syn::parse_file(text).expect("test source parses");
        let mut macros = Macros(Vec::new());
        syn::visit::Visit::visit_file(&mut macros, &file);
        let source = SourceText::new(text);
        macros
            .0
            .iter()
            .map(|mac| {
                let source = source.as_ref()?;
                source.macro_body(mac).map(str::to_string)
            })
            .collect()
    }

    #[test]
    fn macro_bodies_are_cut_from_the_text_by_character_columns() {
        let text = "fn f() { let é = 1; info!(\"ü {}\", é); }\nfn g() {\n    vec![\n        1,\n    ];\n    m! { x }\n}\n";
        assert_eq!(
            bodies(text),
            [
                Some("(\"ü {}\", é)".to_string()),
                Some("[\n        1,\n    ]".to_string()),
                Some("{ x }".to_string()),
            ]
        );
    }

    #[test]
    fn files_whose_spans_do_not_count_from_the_first_byte_are_not_cut() {
        assert_eq!(bodies("\u{feff}fn f() { m!(x); }\n"), [None]);
        assert_eq!(bodies("#!/bin/run\nfn f() { m!(x); }\n"), [None]);
        assert_eq!(
            bodies("#![allow(x)]\nfn f() { m!(x); }\n"),
            [Some("(x)".to_string())]
        );
    }

    #[test]
    fn the_text_gate_says_yes_wherever_the_token_gate_does() {
        for body in [
            "(\"SELECT * FROM t\")",
            "(r#\"  insert into t values (1)\"#)",
            "(b\"UPDATE t SET a = 1\")",
            "(conn.execute(q))",
            "(x, y.find(z))",
            "(\"\\\"DELETE FROM t\")",
            "(\"CREATE TEMP TABLE t (a INT)\")",
            "(\"no sql here\", 1, 'c')",
            "(a, b, c)",
            "(\"SELECT\")",
            "(é, \"ü\")",
        ] {
            let tokens: proc_macro2::TokenStream = body.parse().expect("test body lexes");
            if tokens_may_hold_data(&tokens) {
                assert!(text_may_hold_data(body), "{body}");
            }
        }
        assert!(!text_may_hold_data("(a, \"no sql here\", 1)"));
        assert!(text_may_hold_data("(// update later\n a)"));
    }
}
