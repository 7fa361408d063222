//! Generates, for one boundary of the plan, what its extraction needs: the **port** of the
//! boundary (`port.rs`: the operations the rest of the monolith calls in the service's
//! modules, the types their signatures reach, its routes and tables, each operation classified
//! ready, needs change or blocked), `MIGRATION.md` (`migration.rs`), the to-do list a person
//! works through, and a Cargo workspace: the API crate (`api.rs`), the service crate with its
//! contract tests, client crate and deployment files (`service.rs`), and with `--move` the
//! service's own code and what it uses (`moving.rs`). Templates are embedded and overridable
//! (`render.rs`); the output folder is owned through a manifest (`output.rs`), and a run over
//! it merges people's edits three ways and honours `.ficusignore`.
//!
//! `local.rs` writes the in-process adapter the monolith includes (`monolith/local.rs`),
//! which also answers moved operations in the service after `--move`.
//!
//! `failure.rs` reads how the monolith's error types answer over HTTP, so errors keep their
//! status across a boundary both ways: the adapter's default `Supply::failure`, and
//! `failures.rs` of a moved service, whose calls into other services go through their
//! generated clients where those exist (`moving/remote.rs`).
//!
//! This crate reads the code model the CLI gives it ([`CodeModel`], converted from an
//! analysis) and the plan; it does not depend on the analyzer.

mod api;
mod error;
mod failure;
mod local;
mod migration;
mod model;
mod moving;
mod output;
mod port;
mod render;
mod service;

pub use api::{ApiContext, ApiField, ApiOperation, Dto, api_context, api_files};
pub use error::Error;
pub use failure::{ErrorContext, RejectedVariant, StatusArm};
pub use local::{
    LOCAL_FILE, LocalContext, LocalOperation, SupplyMethod, Unwired, local_context, local_files,
};
pub use migration::{Counts, MigrationContext, migration_md};
pub use render::{GENERATED, Renderer, eject_templates, template_names};

/// The port as pretty JSON, ending with a newline.
pub fn port_json(port: &Port) -> String {
    // A port holds strings, numbers and lists only, which always serialise.
    let mut json = serde_json::to_string_pretty(port).unwrap_or_default();
    json.push('\n');
    json
}
/// The port as pretty JSON with `files`, what the run does to each file of the output
/// folder, ending with a newline.
pub fn port_and_files_json(port: &Port, output: &OutputPlan) -> String {
    // As `port_json`: strings, numbers and lists only.
    let mut value = serde_json::to_value(port).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("files".to_string(), output.report_json());
    }
    let mut json = serde_json::to_string_pretty(&value).unwrap_or_default();
    json.push('\n');
    json
}
pub use model::{CodeItem, CodeModel, Handler, ModuleSource, Reference, TableAccess};
pub use moving::{
    CarriedItems, MoveContext, Moved, RemoteCall, RemoteService, Remotes, move_boundary,
    remote_clients,
};
pub use output::{
    Action, BASE_DIR, FileChange, GeneratedFile, IGNORE_FILE, MANIFEST, OutputPlan,
    check_output_folder, plan_output,
};
pub use port::{Class, Finding, Operation, Param, Port, PortRoute, SharedTable, TypeDef, port_of};
pub use service::{
    HandlerStub, InProcess, RouteGroup, ServiceContext, ServiceOperation, service_context,
    service_files,
};
