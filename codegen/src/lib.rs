//! Generates, for one boundary of the plan, what its extraction needs: today the **port** of
//! the boundary (`port.rs`: the operations the rest of the monolith calls in the service's
//! modules, the types their signatures reach, its routes and tables, each operation classified
//! ready, needs change or blocked) and `MIGRATION.md` (`migration.rs`, from a `tera`
//! template), the to-do list a person works through.
//!
//! Not yet: the service, API and client crates, contract tests, `--move`, regeneration with
//! three-way merges and template overrides (issue #10). This crate reads the code model the
//! CLI gives it ([`CodeModel`], converted from an analysis) and the plan; it does not depend
//! on the analyzer.

mod api;
mod error;
mod migration;
mod model;
mod moving;
mod output;
mod port;
mod render;
mod service;

pub use api::{ApiContext, ApiField, ApiOperation, Dto, api_context, api_files};
pub use error::Error;
pub use migration::{Counts, MigrationContext, migration_md};
pub use render::{GENERATED, Renderer, eject_templates, template_names};

/// The port as pretty JSON, ending with a newline.
pub fn port_json(port: &Port) -> String {
    // A port holds strings, numbers and lists only, which always serialise.
    let mut json = serde_json::to_string_pretty(port).unwrap_or_default();
    json.push('\n');
    json
}
pub use model::{CodeItem, CodeModel, Handler, ModuleSource, Reference, TableAccess};
pub use moving::{CarriedItems, MoveContext, Moved, move_boundary};
pub use output::{GeneratedFile, MANIFEST, check_output_folder, stale_files, write_files};
pub use port::{Class, Finding, Operation, Param, Port, PortRoute, SharedTable, TypeDef, port_of};
pub use service::{
    HandlerStub, RouteGroup, ServiceContext, ServiceOperation, service_context, service_files,
};
