//! `MIGRATION.md`: the port as a to-do list for people, rendered from the embedded template
//! `templates/MIGRATION.md.tera` with a typed context ([`MigrationContext`]).

use serde::Serialize;

use crate::error::Error;
use crate::local::LocalContext;
use crate::moving::MoveContext;
use crate::port::{Class, Port};
use crate::render::Renderer;

/// What the template sees.
#[derive(Debug, Serialize)]
pub struct MigrationContext<'p> {
    pub port: &'p Port,
    pub counts: Counts,
    /// What `--move` copied and carried, and what a person must finish; `None` without it.
    pub moved: Option<&'p MoveContext>,
    /// The in-process adapter for the monolith (`monolith/local.rs`).
    pub local: Option<&'p LocalContext>,
}

/// Operations by class.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub ready: usize,
    pub needs_change: usize,
    pub blocked: usize,
}

/// The text of `MIGRATION.md` for `port`.
pub fn migration_md(
    port: &Port,
    moved: Option<&MoveContext>,
    local: Option<&LocalContext>,
    renderer: &Renderer,
) -> Result<String, Error> {
    let mut counts = Counts::default();
    for operation in &port.operations {
        match operation.class {
            Class::Ready => counts.ready += 1,
            Class::NeedsChange => counts.needs_change += 1,
            Class::Blocked => counts.blocked += 1,
        }
    }
    renderer.render(
        "MIGRATION.md",
        &MigrationContext {
            port,
            counts,
            moved,
            local,
        },
    )
}
