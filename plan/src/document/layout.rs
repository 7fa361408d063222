//! Where the parts of a plan are in a `toml_edit` document (a service's table, its `modules`
//! array, its routes table, the shared kernel), and which written shapes the editor refuses to
//! change.
//!
//! Lookups and creation only; what to change is decided in `merge.rs`.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};

use crate::error::Error;
use crate::plan::Plan;

use super::merge::Target;

/// Refuses, before any change, a file written in a shape this editor does not change: the
/// parts it edits must be tables and arrays, `[[service]]` an array of tables.
pub(super) fn check_shapes(document: &DocumentMut, plan: &Plan, file: &Path) -> Result<(), Error> {
    let refuse = |field: String, reason: &str| {
        Err(Error::NotEditable {
            file: file.to_path_buf(),
            field,
            reason: reason.to_string(),
        })
    };
    match document.get("service") {
        None | Some(Item::ArrayOfTables(_)) => {}
        Some(_) => {
            return refuse(
                "service".to_string(),
                "write services as [[service]] tables for ficus plan to edit them",
            );
        }
    }
    for idx in 0..plan.services.len() {
        let Some(table) = document
            .get("service")
            .and_then(Item::as_array_of_tables)
            .and_then(|services| services.get(idx))
        else {
            return refuse(format!("service[{idx}]"), "not found in the document");
        };
        for (key, expect_array) in [("modules", true), ("tables", true), ("routes", false)] {
            let fits = match table.get(key) {
                None => true,
                Some(item) if expect_array => item.as_array().is_some(),
                Some(item) => {
                    item.is_table_like() && !item.as_table_like().is_some_and(TableLike::is_dotted)
                }
            };
            if !fits {
                return refuse(
                    format!("service[{idx}].{key}"),
                    "written in a form ficus plan does not edit (use a plain array or table)",
                );
            }
        }
    }
    if let Some(kernel) = document.get("shared_kernel") {
        let modules_ok = kernel.as_table_like().is_some_and(|table| {
            table
                .get("modules")
                .is_none_or(|item| item.as_array().is_some())
        });
        if !modules_ok {
            return refuse(
                "shared_kernel".to_string(),
                "written in a form ficus plan does not edit (use a table with a `modules` array)",
            );
        }
    }
    Ok(())
}

pub(super) fn service_table(document: &mut DocumentMut, idx: usize) -> Option<&mut Table> {
    document
        .get_mut("service")?
        .as_array_of_tables_mut()?
        .get_mut(idx)
}

/// The `modules` array of a file service or of the shared kernel; created (with the kernel
/// table) when `create`.
pub(super) fn modules_array(
    document: &mut DocumentMut,
    target: Target,
    create: bool,
) -> Option<&mut Array> {
    let table: &mut dyn TableLike = match target {
        Target::File(idx) => service_table(document, idx)?,
        Target::SharedKernel => {
            if !document.contains_key("shared_kernel") {
                if !create {
                    return None;
                }
                let mut kernel = Table::new();
                kernel.decor_mut().set_prefix("\n");
                document.insert("shared_kernel", Item::Table(kernel));
            }
            document.get_mut("shared_kernel")?.as_table_like_mut()?
        }
        Target::New(_) => return None,
    };
    if !table.contains_key("modules") {
        if !create {
            return None;
        }
        table.insert("modules", Item::Value(Value::Array(Array::new())));
    }
    table.get_mut("modules")?.as_array_mut()
}

/// The routes table of a file service or of a new one, created when `create`.
pub(super) fn routes_table<'d>(
    document: &'d mut DocumentMut,
    new_tables: &'d mut [(usize, Table)],
    target: Target,
    create: bool,
) -> Option<(&'d mut dyn TableLike, bool)> {
    let table: &mut Table = match target {
        Target::File(idx) => service_table(document, idx)?,
        Target::New(idx) => {
            &mut new_tables
                .iter_mut()
                .find(|(draft_idx, _)| *draft_idx == idx)?
                .1
        }
        Target::SharedKernel => return None,
    };
    if !table.contains_key("routes") {
        if !create {
            return None;
        }
        let mut routes = Table::new();
        routes.decor_mut().set_prefix("\n");
        table.insert("routes", Item::Table(routes));
    }
    let routes = table.get_mut("routes")?;
    let inline = routes.is_inline_table();
    Some((routes.as_table_like_mut()?, inline))
}
