//! The shared kernel: modules that many parts of the monolith use but that own no routes and
//! no tables (`util`, `common`, error types). Forcing them into one candidate service would
//! make every other candidate depend on it; they are set aside instead, to become a library.
//!
//! Decided per top-level area first (`crate::common` and everything below it), then per
//! module, from fan-in across areas.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Analysis;

#[derive(Debug, Clone, PartialEq)]
pub struct KernelSettings {
    /// A candidate must be used from at least this share of the other areas...
    pub min_area_share: f64,
    /// ...and from at least this many of them.
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
pub fn shared_kernel(analysis: &Analysis, settings: &KernelSettings) -> BTreeSet<String> {
    let with_routes: BTreeSet<&str> = analysis
        .routes
        .iter()
        .map(|route| route.module.as_str())
        .collect();
    let with_tables: BTreeSet<&str> = analysis
        .accesses
        .iter()
        .map(|access| access.module.as_str())
        .collect();
    let active = |module: &str| with_routes.contains(module) || with_tables.contains(module);

    let areas: BTreeSet<String> = analysis
        .modules
        .iter()
        .map(|module| area_of(&module.id))
        .collect();
    // Areas that use each area, and each module.
    let mut area_users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut module_users: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for edge in &analysis.edges {
        let (from_area, to_area) = (area_of(&edge.from), area_of(&edge.to));
        if from_area != to_area {
            area_users
                .entry(to_area.clone())
                .or_default()
                .insert(from_area.clone());
            module_users.entry(&edge.to).or_default().insert(from_area);
        }
    }
    let needed = |users: usize| {
        let others = areas.len().saturating_sub(1) as f64;
        users >= settings.min_areas && users as f64 >= settings.min_area_share * others
    };

    let mut kernel = BTreeSet::new();
    for area in &areas {
        let members: Vec<&str> = analysis
            .modules
            .iter()
            .map(|module| module.id.as_str())
            .filter(|id| area_of(id) == *area)
            .collect();
        // A crate root is wiring, not a library everyone shares.
        let is_crate_root = !area.contains("::");
        let users = area_users.get(area).map_or(0, BTreeSet::len);
        if !is_crate_root && needed(users) && !members.iter().any(|member| active(member)) {
            kernel.extend(members.iter().map(|member| member.to_string()));
        }
    }
    for module in &analysis.modules {
        let users = module_users
            .get(module.id.as_str())
            .map_or(0, BTreeSet::len);
        if !kernel.contains(&module.id)
            && module.id.contains("::")
            && needed(users)
            && !active(&module.id)
        {
            kernel.insert(module.id.clone());
        }
    }
    kernel
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
