//! SeaORM: entities, relations and calls.
//!
//! An entity is a struct with `#[sea_orm(table_name = "cake")]` (the `Model` of
//! `DeriveEntityModel`), or `impl EntityName for Entity { fn table_name(..) { "cake" } }`; it
//! defines its table at the struct's (or the literal's) line, and its module is the entity's
//! module. `#[sea_orm(belongs_to = "super::cake::Entity", from = "Column::CakeId", ..)]` on a
//! `Relation` variant is a foreign key (column names are the snake case of the `Column`
//! variant, or the field's `column_name`).
//!
//! Calls `X::find()`, `find_by_id` are reads and `insert`, `insert_many`, `update`,
//! `update_many`, `delete`, `delete_many`, `delete_by_id` are writes of the entity `X` names;
//! `.find_also_related(Y)`, `.find_with_related(Y)` and `.inner_join(Y)`-style joins read `Y`.
//! `X` is found, in order: `Entity` / `Self` inside an entity module; through
//! [`Resolve::resolve`] of the path or its module prefix; by `crate::` / `super::` / `self::` /
//! child-module arithmetic on the module of the call; through `use .. as Alias` of an entity
//! anywhere; by a unique entity module (or table) of that name.
//!
//! Without types it cannot follow an `ActiveModel` that is not built (`X::ActiveModel { .. }`)
//! or typed (`let m: X::ActiveModel`) in the same function: `model.into_active_model()
//! .update(db)` and active models passed in as parameters are not seen; nor are joins
//! through `Relation::X.def()`, `Linked` chains, or relations defined by hand-written
//! `RelationTrait` impls.

use std::collections::{BTreeMap, HashMap};

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Fields, ItemEnum, Lit, Meta, Token};

use super::Mode;
use crate::site::{Resolve, Site};

/// Associated functions on an entity and what they do to its table.
pub(super) fn entity_call_mode(name: &str) -> Option<Mode> {
    match name {
        "find" | "find_by_id" => Some(Mode::Read),
        "insert" | "insert_many" | "update" | "update_many" | "delete" | "delete_many"
        | "delete_by_id" => Some(Mode::Write),
        _ => None,
    }
}

/// Methods of a query whose argument is another entity it reads.
pub(super) fn is_related_entity_method(name: &str) -> bool {
    matches!(
        name,
        "find_also_related"
            | "find_with_related"
            | "inner_join"
            | "left_join"
            | "right_join"
            | "reverse_join"
    )
}

/// Methods of an active model that write its entity's table.
pub(super) fn is_active_model_write(name: &str) -> bool {
    matches!(name, "insert" | "update" | "save" | "delete")
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SeaFacts {
    pub(super) entities: Vec<Entity>,
    pub(super) relations: Vec<Relation>,
    pub(super) calls: Vec<Call>,
    pub(super) aliases: Vec<Alias>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entity {
    pub(super) table: String,
    pub(super) site: Site,
    /// Fields with `#[sea_orm(column_name = "..")]`: field name, column name.
    pub(super) renamed_columns: Vec<(String, String)>,
}

/// A `belongs_to` relation: the entity whose module holds it references `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Relation {
    pub(super) site: Site,
    pub(super) target: Vec<String>,
    /// `Column` variant names of `from`.
    pub(super) from_columns: Vec<String>,
}

/// A call on (or mention of) an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Call {
    pub(super) site: Site,
    pub(super) unit: u32,
    /// The path naming the entity (`cake::Entity`, `Cake`, `fruit::ActiveModel`).
    pub(super) path: Vec<String>,
    pub(super) mode: Mode,
}

/// `use path::Entity as Name;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Alias {
    pub(super) name: String,
    pub(super) site: Site,
    pub(super) path: Vec<String>,
}

/// `table_name` of a `#[sea_orm(..)]` attribute.
pub(super) fn table_name(attrs: &[Attribute]) -> Option<String> {
    sea_orm_values(attrs)
        .into_iter()
        .find(|(key, _)| key == "table_name")
        .map(|(_, value)| value)
}

/// Fields renamed with `#[sea_orm(column_name = "..")]`.
pub(super) fn renamed_columns(fields: &Fields) -> Vec<(String, String)> {
    fields
        .iter()
        .filter_map(|field| {
            let name = field.ident.as_ref()?.to_string();
            let column = sea_orm_values(&field.attrs)
                .into_iter()
                .find(|(key, _)| key == "column_name")?
                .1;
            Some((name, column))
        })
        .collect()
}

/// `belongs_to` relations of a `Relation` enum: target path and `from` column variants.
pub(super) fn belongs_to(item: &ItemEnum) -> Vec<(Vec<String>, Vec<String>, proc_macro2::Span)> {
    let mut relations = Vec::new();
    for variant in &item.variants {
        let values = sea_orm_values(&variant.attrs);
        let value = |wanted: &str| {
            values
                .iter()
                .find(|(key, _)| key == wanted)
                .map(|(_, value)| value.as_str())
        };
        let (Some(target), Some(from)) = (value("belongs_to"), value("from")) else {
            continue;
        };
        let Ok(target) = syn::parse_str::<syn::Path>(target) else {
            continue;
        };
        let target = target
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let from_columns = column_variants(from);
        if !from_columns.is_empty() {
            relations.push((target, from_columns, variant.ident.span()));
        }
    }
    relations
}

/// `Column::CakeId` or `(Column::A, Column::B)` as variant names.
fn column_variants(text: &str) -> Vec<String> {
    let Ok(expr) = syn::parse_str::<Expr>(text) else {
        return Vec::new();
    };
    let paths: Vec<&Expr> = match &expr {
        Expr::Tuple(tuple) => tuple.elems.iter().collect(),
        Expr::Paren(paren) => vec![&*paren.expr],
        other => vec![other],
    };
    paths
        .into_iter()
        .filter_map(|path| match path {
            Expr::Path(path) => path
                .path
                .segments
                .last()
                .map(|segment| segment.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// `key = "value"` pairs of every `#[sea_orm(..)]` attribute.
fn sea_orm_values(attrs: &[Attribute]) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("sea_orm")) {
        let Ok(metas) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for meta in metas {
            if let Meta::NameValue(pair) = meta
                && let Some(key) = pair.path.get_ident()
                && let Expr::Lit(lit) = &pair.value
                && let Lit::Str(value) = &lit.lit
            {
                values.push((key.to_string(), value.value()));
            }
        }
    }
    values
}

/// Entities of the whole analysed code, by module id.
pub(super) struct EntityIndex<'a> {
    by_module: BTreeMap<String, EntityRef<'a>>,
    aliases: HashMap<&'a str, Vec<(&'a str, &'a Alias)>>,
}

/// An entity and where it is.
#[derive(Clone, Copy)]
pub(super) struct EntityRef<'a> {
    pub(super) entity: &'a Entity,
    pub(super) file: &'a str,
}

/// What a path names when it ends in one of these: the entity of its module prefix.
const ENTITY_ITEMS: [&str; 7] = [
    "Entity",
    "ActiveModel",
    "Model",
    "Column",
    "Relation",
    "PrimaryKey",
    "Self",
];

impl<'a> EntityIndex<'a> {
    /// `files`: each file's path and facts. A module's first entity by (file, line) wins.
    pub(super) fn new(files: &[(&'a str, &'a SeaFacts)], resolve: &dyn Resolve) -> EntityIndex<'a> {
        let mut by_module = BTreeMap::new();
        let mut aliases: HashMap<&str, Vec<(&str, &Alias)>> = HashMap::new();
        for &(file, facts) in files {
            for entity in &facts.entities {
                let Some(module) = resolve.module_at(file, &entity.site) else {
                    continue;
                };
                let candidate = EntityRef { entity, file };
                let first = by_module.entry(module).or_insert(candidate);
                if (file, entity.site.line) < (first.file, first.entity.site.line) {
                    *first = candidate;
                }
            }
            for alias in &facts.aliases {
                aliases
                    .entry(alias.name.as_str())
                    .or_default()
                    .push((file, alias));
            }
        }
        EntityIndex { by_module, aliases }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_module.is_empty()
    }

    /// The entity of a module.
    pub(super) fn in_module(&self, module: &str) -> Option<EntityRef<'a>> {
        self.by_module.get(module).copied()
    }

    /// The entity `path`, written at `site` in `file`, names.
    pub(super) fn find(
        &self,
        file: &str,
        site: &Site,
        path: &[String],
        resolve: &dyn Resolve,
    ) -> Option<EntityRef<'a>> {
        if let Some(found) = self.find_precise(file, site, path, resolve) {
            return Some(found);
        }
        // `Cake` from `pub use super::cake::Entity as Cake;`: the file's own imports first.
        if let [name] = path
            && let Some(candidates) = self.aliases.get(name.as_str())
        {
            let own: Vec<_> = candidates
                .iter()
                .filter(|(alias_file, _)| *alias_file == file)
                .collect();
            let chosen = if own.is_empty() {
                candidates.iter().collect()
            } else {
                own
            };
            let mut found = chosen.into_iter().filter_map(|(alias_file, alias)| {
                self.find_precise(alias_file, &alias.site, &alias.path, resolve)
                    .or_else(|| self.find_by_name(&alias.path))
            });
            if let Some(first) = found.next()
                && found.all(|other| std::ptr::eq(other.entity, first.entity))
            {
                return Some(first);
            }
        }
        self.find_by_name(path)
    }

    /// Through the module of the call, the resolver, and module arithmetic.
    fn find_precise(
        &self,
        file: &str,
        site: &Site,
        path: &[String],
        resolve: &dyn Resolve,
    ) -> Option<EntityRef<'a>> {
        let (prefix, last) = path.split_at(path.len().checked_sub(1)?);
        let names_item = ENTITY_ITEMS.contains(&last[0].as_str());
        let here = resolve.module_at(file, site);
        // `Entity::find()` inside the entity's module.
        if prefix.is_empty()
            && names_item
            && let Some(found) = here.as_deref().and_then(|module| self.in_module(module))
        {
            return Some(found);
        }
        // What the resolver says about the path, then about its module prefix.
        if let Some(found) = self.resolved(file, site, path, resolve) {
            return Some(found);
        }
        if !names_item || prefix.is_empty() {
            return None;
        }
        if let Some(found) = self.resolved(file, site, prefix, resolve) {
            return Some(found);
        }
        // Module arithmetic from where the call is.
        let module = relative_module(here.as_deref()?, prefix)?;
        self.in_module(&module)
    }

    fn resolved(
        &self,
        file: &str,
        site: &Site,
        path: &[String],
        resolve: &dyn Resolve,
    ) -> Option<EntityRef<'a>> {
        let item = resolve.resolve(file, site, path)?;
        resolved_modules(&item)
            .iter()
            .find_map(|module| self.in_module(module))
    }

    /// A unique entity whose module (for `x::Entity`) or table (for `Cake`, as snake case)
    /// has that name.
    fn find_by_name(&self, path: &[String]) -> Option<EntityRef<'a>> {
        let (prefix, last) = path.split_at(path.len().checked_sub(1)?);
        let name = if ENTITY_ITEMS.contains(&last[0].as_str()) {
            prefix.last()?.clone()
        } else {
            snake_case(&last[0])
        };
        let mut found = self.by_module.iter().filter(|(module, entity)| {
            module.rsplit("::").next() == Some(name.as_str()) || entity.entity.table == name
        });
        let (_, first) = found.next()?;
        found.next().is_none().then_some(*first)
    }
}

/// Modules a resolved item may stand for: for a `mod`, its own id (its path, or its parent's
/// id and its name); otherwise the module that defines it.
fn resolved_modules(item: &crate::site::ResolvedItem) -> Vec<String> {
    if item.kind != "mod" {
        return vec![item.module.clone()];
    }
    let mut modules = vec![item.path.clone()];
    if let Some((_, name)) = item.path.rsplit_once("::") {
        modules.push(format!("{}::{name}", item.module));
    }
    modules
}

/// `crate::a`, `super::a`, `self::a` or `a` (a child module) seen from module `here`.
fn relative_module(here: &str, path: &[String]) -> Option<String> {
    let mut module: Vec<&str> = here.split("::").collect();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            module.truncate(1);
            rest = &path[1..];
        }
        Some("self") => rest = &path[1..],
        Some("super") => {
            while let Some(("super", tail)) =
                rest.split_first().map(|(head, tail)| (head.as_str(), tail))
            {
                if module.len() <= 1 {
                    return None;
                }
                module.pop();
                rest = tail;
            }
        }
        Some(_) => {}
        None => return None,
    }
    module.extend(rest.iter().map(String::as_str));
    Some(module.join("::"))
}

/// `CakeId` -> `cake_id`, `FruitID` -> `fruit_id`.
pub(super) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (idx, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() {
            let after_lower =
                idx > 0 && (chars[idx - 1].is_lowercase() || chars[idx - 1].is_ascii_digit());
            let ends_acronym = idx > 0
                && chars[idx - 1].is_uppercase()
                && chars.get(idx + 1).is_some_and(|next| next.is_lowercase());
            if after_lower || ends_acronym {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}
