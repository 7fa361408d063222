//! The shared kernel: modules that many parts of the monolith use but that own no routes and
//! no tables (`util`, `common`, error types). Forcing them into one candidate service would
//! make every other candidate depend on it; they are set aside instead, to become a library.
//!
//! Decided per top-level area first (`crate::common` and everything below it), then per
//! module, from fan-in across areas.

use std::collections::{BTreeMap, BTreeSet};

use super::terms::terms;
use crate::model::Analysis;

#[derive(Debug, Clone, PartialEq)]
pub struct KernelSettings {
    /// A candidate's users must span at least this share of the codebase's domain terms...
    pub min_area_share: f64,
    /// ...and at least this many of them.
    pub min_areas: usize,
}

impl Default for KernelSettings {
    fn default() -> KernelSettings {
        KernelSettings {
            min_area_share: 0.4,
            min_areas: 3,
        }
    }
}

/// The area of a module: its first segment below the crate (`shop::orders::service` ->
/// `shop::orders`); a crate root is its own area.
pub fn area_of(module: &str) -> String {
    let mut segments = module.splitn(3, "::");
    match (segments.next(), segments.next()) {
        (Some(krate), Some(area)) => format!("{krate}::{area}"),
        (Some(krate), None) => krate.to_string(),
        _ => module.to_string(),
    }
}

/// Module ids of the shared kernel.
///
/// A module is shared when the modules using it span many domain terms that are not its own
/// (`common::error` is used by `orders`, `cart`, `catalog`...; `models::invoice` is used by
/// `invoices` handlers and services: its own domain). An area (`crate::common` and below) is
/// shared as a whole when its users span many such terms and none of its members names a
/// domain its users are about, so `common::clock`, used by two domains only, goes with
/// `common`, while the `models` layer of a layered monolith does not.
pub fn shared_kernel(analysis: &Analysis, settings: &KernelSettings) -> BTreeSet<String> {
    explained_kernel(analysis, settings).into_keys().collect()
}

/// [`shared_kernel`] with the reason for each module, in words.
pub fn explained_kernel(
    analysis: &Analysis,
    settings: &KernelSettings,
) -> BTreeMap<String, String> {
    let facts = ModuleFacts::new(analysis);
    let active = |module: &str| facts.active(module);
    let vocabulary = &facts.vocabulary;

    // The domain terms of each module's users (modules elsewhere that depend on it).
    let mut users: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for edge in &analysis.edges {
        if area_of(&edge.from) != area_of(&edge.to) {
            users
                .entry(&edge.to)
                .or_default()
                .extend(own_terms(&edge.from));
        }
    }
    let needed = |user_terms: usize| {
        user_terms >= settings.min_areas
            && user_terms as f64 >= settings.min_area_share * vocabulary.len() as f64
    };
    let foreign_users = |id: &str| -> BTreeSet<String> {
        let own = own_terms(id);
        users
            .get(id)
            .map(|terms| terms.difference(&own).cloned().collect())
            .unwrap_or_default()
    };

    let mut kernel = BTreeMap::new();
    let areas: BTreeSet<String> = analysis
        .modules
        .iter()
        .map(|module| area_of(&module.id))
        .collect();
    for area in areas.iter().filter(|area| area.contains("::")) {
        let members: Vec<&str> = analysis
            .modules
            .iter()
            .map(|module| module.id.as_str())
            .filter(|id| area_of(id) == *area)
            .collect();
        let area_own = own_terms(area);
        let mut area_users: BTreeSet<String> = BTreeSet::new();
        let mut domain_specific = false;
        for member in &members {
            let member_users = users.get(member).cloned().unwrap_or_default();
            let member_own: BTreeSet<String> =
                own_terms(member).difference(&area_own).cloned().collect();
            domain_specific |= member_own.iter().any(|term| member_users.contains(term));
            area_users.extend(member_users);
        }
        let foreign: BTreeSet<&String> = area_users.difference(&area_own).collect();
        if !domain_specific && needed(foreign.len()) && !members.iter().any(|member| active(member))
        {
            let why = format!(
                "area {area} is used from {} domains ({}) and owns no route or table",
                foreign.len(),
                listed(foreign)
            );
            for member in &members {
                kernel.insert(member.to_string(), why.clone());
            }
        }
    }
    for module in &analysis.modules {
        if kernel.contains_key(&module.id) || !module.id.contains("::") || active(&module.id) {
            continue;
        }
        let foreign = foreign_users(&module.id);
        if needed(foreign.len()) {
            let why = format!(
                "used from {} other domains ({}) and owns no route or table",
                foreign.len(),
                listed(foreign.iter())
            );
            kernel.insert(module.id.clone(), why);
        }
    }
    kernel
}

/// Up to six terms, then how many more.
fn listed<'a>(terms: impl IntoIterator<Item = &'a String>) -> String {
    let terms: Vec<&String> = terms.into_iter().collect();
    let mut text = terms
        .iter()
        .take(6)
        .map(|term| term.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if terms.len() > 6 {
        text.push_str(&format!(" and {} more", terms.len() - 6));
    }
    text
}

/// Module ids of the wiring: composition roots. A module is wiring when it both depends on
/// and is used by many domains (`app`, holding the state every handler takes and nesting
/// every domain's router), or when it depends on many domains, has a purely technical name
/// and owns no route and no table (a `handlers` module assembling the routers of a layered
/// monolith). Put in a service, wiring would tie every service into one dependency cycle; it
/// stays in the monolith (unassigned) instead. Crate roots are wiring too.
pub fn wiring(analysis: &Analysis, settings: &KernelSettings) -> BTreeSet<String> {
    explained_wiring(analysis, settings).into_keys().collect()
}

/// [`wiring`] with the reason for each module, in words.
pub fn explained_wiring(
    analysis: &Analysis,
    settings: &KernelSettings,
) -> BTreeMap<String, String> {
    let facts = ModuleFacts::new(analysis);
    let vocabulary = &facts.vocabulary;
    let mut users: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut uses: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    // Every edge counts here, also inside an area: a layer (`handlers`) is one area.
    for edge in &analysis.edges {
        users
            .entry(&edge.to)
            .or_default()
            .extend(own_terms(&edge.from));
        uses.entry(&edge.from)
            .or_default()
            .extend(own_terms(&edge.to));
    }
    let broad = |terms: Option<&BTreeSet<String>>, own: &BTreeSet<String>| {
        let foreign = terms.map_or(0, |terms| terms.difference(own).count());
        foreign >= settings.min_areas
            && foreign as f64 >= settings.min_area_share * vocabulary.len() as f64
    };
    analysis
        .modules
        .iter()
        .filter_map(|module| {
            let id = module.id.as_str();
            let own = own_terms(id);
            let passive = !facts.active(id);
            let uses_many = broad(uses.get(id), &own);
            let why = if !id.contains("::") {
                "crate root: wiring, stays with the monolith"
            } else if uses_many && broad(users.get(id), &own) {
                "composition root: uses many domains and is used by many"
            } else if uses_many && own.is_empty() && passive {
                "assembles many domains, has a technical name and owns no route or table"
            } else {
                return None;
            };
            Some((module.id.clone(), why.to_string()))
        })
        .collect()
}

/// A module's own domain terms: those of its path below the crate.
fn own_terms(id: &str) -> BTreeSet<String> {
    id.split("::").skip(1).flat_map(terms).collect()
}

/// What the kernel and wiring rules look up about modules.
struct ModuleFacts<'a> {
    with_routes: BTreeSet<&'a str>,
    with_tables: BTreeSet<&'a str>,
    /// Every domain term some module is named after.
    vocabulary: BTreeSet<String>,
}

impl<'a> ModuleFacts<'a> {
    fn new(analysis: &'a Analysis) -> ModuleFacts<'a> {
        ModuleFacts {
            with_routes: analysis
                .routes
                .iter()
                .map(|route| route.module.as_str())
                .collect(),
            with_tables: analysis
                .accesses
                .iter()
                .map(|access| access.module.as_str())
                .collect(),
            vocabulary: analysis
                .modules
                .iter()
                .flat_map(|module| own_terms(&module.id))
                .collect(),
        }
    }

    /// Serves a route or touches a table.
    fn active(&self, module: &str) -> bool {
        self.with_routes.contains(module) || self.with_tables.contains(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_first_segments_below_the_crate() {
        assert_eq!(area_of("shop::orders::service"), "shop::orders");
        assert_eq!(area_of("shop::orders"), "shop::orders");
        assert_eq!(area_of("shop"), "shop");
    }
}
