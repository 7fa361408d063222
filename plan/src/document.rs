//! [`PlanDocument`]: a plan file as text that can be edited without losing what people wrote,
//! together with the [`Plan`] it holds.
//!
//! Built on `toml_edit`, which keeps comments, spacing and order. This file holds the type
//! and its IO; rendering a new file is in `document/render.rs`, applying a re-plan in
//! `document/merge.rs`, with `layout.rs` (where a plan's parts are) and `edit.rs`
//! (formatting-preserving edits) under it.

mod edit;
mod layout;
mod merge;
mod render;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use crate::draft::{Change, Draft, route_notes};
use crate::error::{Error, Problems, Source};
use crate::plan::{Analysis, Monolith, Plan};
use crate::route::{RouteKey, RouteState};

/// A plan file being edited.
#[derive(Debug, Clone)]
pub struct PlanDocument {
    file: PathBuf,
    document: DocumentMut,
    plan: Plan,
}

impl PlanDocument {
    /// Reads and validates plan text for editing. `file` names it in problems.
    pub fn parse(text: &str, file: &Path) -> Result<PlanDocument, Error> {
        let plan = Plan::parse(text, file)?;
        let document = text.parse::<DocumentMut>().map_err(|error| {
            // `toml` read it, so only syntax newer than `toml_edit` knows gets here.
            let source = Source { file, text };
            let offset = error.span().map_or(0, |span| span.start);
            let kind = crate::ProblemKind::Syntax {
                message: error.message().trim_end().to_string(),
            };
            Error::Invalid(Problems(vec![source.problem(
                offset..offset,
                String::new(),
                kind,
            )]))
        })?;
        Ok(PlanDocument {
            file: file.to_path_buf(),
            document,
            plan,
        })
    }

    /// Reads and validates the plan file at `path` for editing.
    pub fn load(path: &Path) -> Result<PlanDocument, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        PlanDocument::parse(&text, path)
    }

    /// A new file for `plan`, with comments that explain each section. Fails when the plan
    /// does not read back as itself validated (a name or value a file could not hold).
    pub fn new(plan: &Plan, file: &Path) -> Result<PlanDocument, Error> {
        PlanDocument::parse(&render::render(plan, &HashMap::new()), file)
    }

    /// A new file for the plan [`Plan::from_draft`] builds, with comments that explain each
    /// section and, above each route with several handlers, a comment listing them.
    pub fn from_draft(
        monolith: Monolith,
        analysis: Analysis,
        draft: &Draft,
        file: &Path,
    ) -> Result<PlanDocument, Error> {
        let plan = Plan::from_draft(monolith, analysis, draft)?;
        PlanDocument::parse(&render::render(&plan, &route_notes(draft)), file)
    }

    /// The plan as the text now says.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The name problems are reported under.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Applies a re-plan: keeps every human edit, updates only drafted fields, and returns
    /// what changed (rules in `docs/plan.md`). On error the document is unchanged.
    pub fn apply(&mut self, draft: &Draft) -> Result<Vec<Change>, Error> {
        draft.check()?;
        let mut document = self.document.clone();
        let changes = merge::apply(&mut document, &self.plan, draft, &self.file)?;
        let plan = Plan::parse(&document.to_string(), &self.file)?;
        self.document = document;
        self.plan = plan;
        Ok(changes)
    }
}

impl PlanDocument {
    /// Sets the state of the route `key` in its service's `[service.routes]`, keeping the
    /// key (matched by shape, as [`crate::Service::route`] does), its comments and the rest of
    /// the file as written: the short form (`"service"`)
    /// when the state needs no percent, `{ state = "canary", percent = 25 }` otherwise. A
    /// route the file does not list is an error naming it. Returns the state it had.
    pub fn set_route_state(
        &mut self,
        key: &RouteKey,
        state: RouteState,
    ) -> Result<RouteState, Error> {
        let not_listed = |reason: String| Error::NotEditable {
            file: self.file.clone(),
            field: format!("routes.\"{key}\""),
            reason,
        };
        let Some((idx, before)) =
            self.plan
                .services
                .iter()
                .enumerate()
                .find_map(|(idx, service)| {
                    service
                        .routes
                        .iter()
                        .find(|route| route.key.shape() == key.shape())
                        .map(|route| (idx, route.state))
                })
        else {
            return Err(not_listed(
                "no service of the plan lists this route".to_string(),
            ));
        };
        let mut document = self.document.clone();
        let written = key.to_string();
        let routes = layout::service_table(&mut document, idx)
            .and_then(|service| service.get_mut("routes"))
            .and_then(toml_edit::Item::as_table_like_mut)
            .ok_or_else(|| {
                not_listed("the service's routes are not a table the editor changes".to_string())
            })?;
        // The key as the file writes it: compared by shape, as the plan matches routes
        // (parameter names do not matter).
        let found = routes
            .iter()
            .map(|(name, _)| name.to_string())
            .find(|name| RouteKey::parse(name).is_ok_and(|parsed| parsed.shape() == key.shape()))
            .unwrap_or(written);
        let Some(item) = routes.get_mut(&found) else {
            return Err(not_listed(
                "the route is not written in the file".to_string(),
            ));
        };
        let mut value: toml_edit::Value = render::render_state(state)
            .parse()
            .map_err(|_| not_listed("its new state does not render".to_string()))?;
        if let Some(old) = item.as_value() {
            *value.decor_mut() = old.decor().clone();
        }
        *item = toml_edit::Item::Value(value);
        let plan = Plan::parse(&document.to_string(), &self.file)?;
        self.document = document;
        self.plan = plan;
        Ok(before)
    }
}

impl fmt::Display for PlanDocument {
    /// The file's text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.document)
    }
}
