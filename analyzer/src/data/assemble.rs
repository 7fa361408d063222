//! The whole-program step: merges the facts of every file and every schema file into tables,
//! foreign keys and per-module accesses.
//!
//! Tables are keyed by name and keep their first definition in (file, line) order; foreign
//! keys are keyed by (from table, column, to table) the same way. Every access is attributed
//! to `Resolve::module_at` of its site and counted per (module, table, mode), keeping the
//! first (file, line). An access in a file outside every module tree cannot be attributed: it
//! is dropped with one note per file. Tables accessed but defined nowhere stay in `accesses`
//! only. It never invents tables, and calls `Resolve::resolve` only for SeaORM entity paths.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::seaorm::{self, EntityIndex};
use super::{DataModel, FileData, Mode, SqlSchema, diesel};
use crate::model::{Access, Diagnostic, ForeignKey, Severity, Table};
use crate::site::{Resolve, Site};

pub(super) fn assemble(
    files: &[(&str, &FileData)],
    schemas: &[SqlSchema],
    resolve: &dyn Resolve,
) -> DataModel {
    let mut tables = FirstByPlace::default();
    let mut foreign_keys = FirstByPlace::default();
    let mut diagnostics = Vec::new();

    for schema in schemas {
        for table in &schema.tables {
            tables.add(table.name.clone(), &table.file, table.line);
        }
        for key in &schema.foreign_keys {
            let id = (
                key.from_table.clone(),
                key.column.clone(),
                key.to_table.clone(),
            );
            foreign_keys.add(id, &key.file, key.line);
        }
        diagnostics.extend(schema.diagnostics.iter().cloned());
    }

    // Diesel tables by Rust name; the first definition names the SQL table.
    let mut diesel_tables = FirstByPlace::default();
    for &(file, data) in files {
        for table in &data.diesel.tables {
            diesel_tables.add_with(
                table.ident.clone(),
                file,
                table.line,
                table.sql_name.clone(),
            );
        }
    }
    let diesel_names: HashMap<String, String> = diesel_tables
        .entries
        .into_iter()
        .map(|(ident, (_, sql_name))| (ident, sql_name))
        .collect();
    let sql_name = |ident: &str| {
        diesel_names
            .get(ident)
            .cloned()
            .unwrap_or_else(|| ident.to_owned())
    };

    let sea_files: Vec<(&str, &seaorm::SeaFacts)> = files
        .iter()
        .map(|&(file, data)| (file, &data.seaorm))
        .collect();
    let entities = EntityIndex::new(&sea_files, resolve);

    let mut accesses = AccessCounter::default();
    for &(file, data) in files {
        for table in &data.sql_tables {
            tables.add(table.name.clone(), file, table.line);
        }
        for key in &data.sql_foreign_keys {
            let id = (
                key.from_table.clone(),
                key.column.clone(),
                key.to_table.clone(),
            );
            foreign_keys.add(id, file, key.line);
        }
        for table in &data.diesel.tables {
            tables.add(table.sql_name.clone(), file, table.line);
        }
        for joinable in &data.diesel.joinables {
            let id = (
                sql_name(&joinable.child),
                joinable.column.clone(),
                sql_name(&joinable.parent),
            );
            foreign_keys.add(id, file, joinable.line);
        }
        for entity in &data.seaorm.entities {
            tables.add(entity.table.clone(), file, entity.site.line);
        }
        for relation in &data.seaorm.relations {
            let from = resolve
                .module_at(file, &relation.site)
                .and_then(|module| entities.in_module(&module));
            let to = entities.find(file, &relation.site, &relation.target, resolve);
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            for variant in &relation.from_columns {
                let field = seaorm::snake_case(variant);
                let column = from
                    .entity
                    .renamed_columns
                    .iter()
                    .find(|(name, _)| *name == field)
                    .map_or(field.clone(), |(_, column)| column.clone());
                let id = (from.entity.table.clone(), column, to.entity.table.clone());
                foreign_keys.add(id, file, relation.site.line);
            }
        }
        diagnostics.extend(data.diagnostics.iter().map(|local| Diagnostic {
            severity: local.severity,
            file: file.to_owned(),
            line: local.line,
            message: local.message.clone(),
        }));

        let mut file_accesses = FileAccesses {
            file,
            resolve,
            counter: &mut accesses,
            unattributed: 0,
        };
        for access in &data.sql_accesses {
            file_accesses.add(&access.site, &access.table, access.mode);
        }
        for (site, _, table, mode) in diesel::accesses(&data.diesel, &diesel_names) {
            file_accesses.add(&site, &table, mode);
        }
        if !entities.is_empty() {
            let mut seen = std::collections::BTreeSet::new();
            for call in &data.seaorm.calls {
                let Some(found) = entities.find(file, &call.site, &call.path, resolve) else {
                    continue;
                };
                if seen.insert((call.unit, found.entity.table.as_str(), call.mode)) {
                    file_accesses.add(&call.site, &found.entity.table, call.mode);
                }
            }
        }
        if file_accesses.unattributed > 0 {
            diagnostics.push(Diagnostic {
                severity: Severity::Info,
                file: file.to_owned(),
                line: 0,
                message: format!(
                    "{} table accesses are in a file outside every module tree and are not attributed",
                    file_accesses.unattributed
                ),
            });
        }
    }

    let mut model = DataModel {
        tables: tables
            .entries
            .into_iter()
            .map(|(name, ((file, line), ()))| Table { name, file, line })
            .collect(),
        foreign_keys: foreign_keys
            .entries
            .into_iter()
            .map(
                |((from_table, column, to_table), ((file, line), ()))| ForeignKey {
                    from_table,
                    to_table,
                    column,
                    file,
                    line,
                },
            )
            .collect(),
        accesses: accesses
            .entries
            .into_iter()
            .map(
                |((module, table, mode), (count, (file, line), lines))| Access {
                    module,
                    table,
                    mode: mode.as_str().to_owned(),
                    count,
                    file,
                    line,
                    lines: lines.into_iter().collect(),
                },
            )
            .collect(),
        diagnostics,
    };
    model.tables.sort();
    model.foreign_keys.sort();
    model.accesses.sort();
    model.diagnostics.sort();
    model.diagnostics.dedup();
    model
}

/// Keeps, per key, the value seen at the first (file, line).
struct FirstByPlace<K, V = ()> {
    entries: BTreeMap<K, ((String, u32), V)>,
}

impl<K, V> Default for FirstByPlace<K, V> {
    fn default() -> Self {
        FirstByPlace {
            entries: BTreeMap::new(),
        }
    }
}

impl<K: Ord> FirstByPlace<K, ()> {
    fn add(&mut self, key: K, file: &str, line: u32) {
        self.add_with(key, file, line, ());
    }
}

impl<K: Ord, V> FirstByPlace<K, V> {
    fn add_with(&mut self, key: K, file: &str, line: u32, value: V) {
        let place = (file.to_owned(), line);
        match self.entries.get_mut(&key) {
            Some(existing) if existing.0 <= place => {}
            Some(existing) => *existing = (place, value),
            None => {
                self.entries.insert(key, (place, value));
            }
        }
    }
}

/// Count, first place and lines per (module, table, mode).
#[derive(Default)]
struct AccessCounter {
    entries: BTreeMap<AccessKey, (u32, Place, BTreeSet<u32>)>,
}

/// (module, table, mode)
type AccessKey = (String, String, Mode);
/// (file, line)
type Place = (String, u32);

/// Attributes one file's accesses.
struct FileAccesses<'a> {
    file: &'a str,
    resolve: &'a dyn Resolve,
    counter: &'a mut AccessCounter,
    unattributed: u32,
}

impl FileAccesses<'_> {
    fn add(&mut self, site: &Site, table: &str, mode: Mode) {
        let Some(module) = self.resolve.module_at(self.file, site) else {
            self.unattributed += 1;
            return;
        };
        let place = (self.file.to_owned(), site.line);
        let entry = self
            .counter
            .entries
            .entry((module, table.to_owned(), mode))
            .or_insert_with(|| (0, place.clone(), BTreeSet::new()));
        entry.0 += 1;
        if place < entry.1 {
            // A module's code is in one file; should a second file ever hold some, the
            // lines follow the first one.
            if place.0 != entry.1.0 {
                entry.2.clear();
            }
            entry.1 = place;
        }
        if self.file == entry.1.0 {
            entry.2.insert(site.line);
        }
    }
}
