//! Matching a path written at a site to the items route facts were collected for: router and
//! configure fns, attribute-routed fns (owners of fragments) and string constants.
//!
//! `Resolve::resolve(file, site, path)` says what the path names; a [`ResolvedItem`] matches
//! the items collected in its `file` that have its name (the last segment of its `path`) and
//! whose inline modules and name (free items) or self type and name (methods, associated
//! consts) end its `path`. When several remain (`#[cfg]` alternatives), the ones whose header
//! span, first attribute or doc comment to name, holds `ResolvedItem::line` win; failing that,
//! the nearest. When `resolve` returns `None` and the path is one plain identifier, the free
//! items of that name in the same file and inline module are used. Nothing else is guessed: a
//! path the resolver does not know is not matched by name alone across files.
//!
//! [`ResolvedItem`]: crate::site::ResolvedItem

use super::{Assembler, ItemKey};
use crate::site::{ResolvedItem, Site};

/// Which owners of an item a path may name.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// Router, configure and attribute-routed fns.
    Owner,
    /// Fns with `#[utoipa::path]` operations.
    OpenApiOwner,
    Const,
    /// Struct-valued constants and struct-building fns.
    Value,
}

impl<'a> Assembler<'a> {
    /// The global ids of the fragments owned by the item `path` names: its routers, or with
    /// `openapi` its `#[utoipa::path]` operations.
    pub(super) fn owner_fragments(
        &mut self,
        file_idx: usize,
        site: &Site,
        path: &[String],
        openapi: bool,
    ) -> Vec<usize> {
        let files = self.files;
        let mut out = Vec::new();
        let kind = if openapi {
            Kind::OpenApiOwner
        } else {
            Kind::Owner
        };
        for (owner_file, owner_idx) in self.find(file_idx, site, path, kind) {
            let owner = &files[owner_file].1.owners[owner_idx];
            for &local in &owner.fragments {
                if local < files[owner_file].1.fragments.len() {
                    out.push(self.first_fragment[owner_file] + local);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The owners (or consts) of the analysed code that `path`, written at `site`, names.
    pub(super) fn find(
        &mut self,
        file_idx: usize,
        site: &Site,
        path: &[String],
        kind: Kind,
    ) -> Vec<(usize, usize)> {
        let files = self.files;
        let key_of = |(file, idx): (usize, usize)| -> &'a ItemKey {
            match kind {
                Kind::Owner | Kind::OpenApiOwner => &files[file].1.owners[idx].key,
                Kind::Const => &files[file].1.consts[idx].key,
                Kind::Value => &files[file].1.values[idx].key,
            }
        };
        let wanted = |(file, idx): (usize, usize)| match kind {
            Kind::Owner => !files[file].1.owners[idx].openapi,
            Kind::OpenApiOwner => files[file].1.owners[idx].openapi,
            Kind::Const | Kind::Value => true,
        };
        let Some(item) = self.resolve_cached(file_idx, site, path) else {
            // Fallback: a plain name for a free item of the same file and inline module.
            let [name] = path else {
                return Vec::new();
            };
            let index = match kind {
                Kind::Owner | Kind::OpenApiOwner => &self.owners,
                Kind::Const => &self.consts,
                Kind::Value => &self.values,
            };
            let Some(candidates) = index
                .get(files[file_idx].0)
                .and_then(|names| names.get(name.as_str()))
            else {
                return Vec::new();
            };
            return candidates
                .iter()
                .copied()
                .filter(|&candidate| wanted(candidate))
                .filter(|&candidate| {
                    let key = key_of(candidate);
                    key.self_ty.is_empty() && key.site.inline_mods == site.inline_mods
                })
                .collect();
        };
        let index = match kind {
            Kind::Owner | Kind::OpenApiOwner => &self.owners,
            Kind::Const => &self.consts,
            Kind::Value => &self.values,
        };
        let segments: Vec<&str> = item.path.split("::").collect();
        let Some(name) = segments.last() else {
            return Vec::new();
        };
        let Some(candidates) = index
            .get(item.file.as_str())
            .and_then(|names| names.get(name))
        else {
            return Vec::new();
        };
        let matching: Vec<(usize, usize)> = candidates
            .iter()
            .copied()
            .filter(|&candidate| wanted(candidate) && path_matches(&segments, key_of(candidate)))
            .collect();
        if matching.len() <= 1 {
            return matching;
        }
        let distance = |candidate: (usize, usize)| {
            let key = key_of(candidate);
            if key.first_line <= item.line && item.line <= key.site.line {
                0
            } else {
                item.line
                    .abs_diff(key.site.line)
                    .min(item.line.abs_diff(key.first_line))
            }
        };
        let best = matching
            .iter()
            .map(|&candidate| distance(candidate))
            .min()
            .unwrap_or(0);
        matching
            .into_iter()
            .filter(|&candidate| distance(candidate) == best)
            .collect()
    }

    pub(super) fn resolve_cached(
        &mut self,
        file_idx: usize,
        site: &Site,
        path: &[String],
    ) -> Option<ResolvedItem> {
        let key = (file_idx, site.clone(), path.to_vec());
        if let Some(found) = self.resolved.get(&key) {
            return found.clone();
        }
        let found = self.resolve.resolve(self.files[file_idx].0, site, path);
        self.resolved.insert(key, found.clone());
        found
    }

    pub(super) fn module_at(&mut self, file_idx: usize, site: &Site) -> Option<String> {
        let key = (file_idx, site.clone());
        if let Some(found) = self.modules.get(&key) {
            return found.clone();
        }
        let found = self.resolve.module_at(self.files[file_idx].0, site);
        self.modules.insert(key, found.clone());
        found
    }
}

/// Whether a resolved item's path (`demo::api::inner::routes`, `demo::api::Api::routes`) ends
/// like the key: its inline modules and name, or its self type and name.
fn path_matches(segments: &[&str], key: &ItemKey) -> bool {
    let mut wanted: Vec<&str> = match key.self_ty.last() {
        Some(self_ty) => vec![self_ty.as_str()],
        None => key.site.inline_mods.iter().map(String::as_str).collect(),
    };
    wanted.push(key.name.as_str());
    segments.len() >= wanted.len() && segments[segments.len() - wanted.len()..] == wanted[..]
}
