//! The plan file's schema: `serde` types that mirror `ficus.toml` field for field, with the
//! spans `toml` gives so that validation can point at the line a problem is on.
//!
//! These types accept anything of the right TOML shape and reject unknown fields; they check
//! no value. `validate.rs` turns them into a [`crate::Plan`]. Every field and its default is
//! described in `docs/plan.md`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanFile {
    pub(crate) version: Spanned<i64>,
    pub(crate) monolith: MonolithFile,
    #[serde(default)]
    pub(crate) analysis: Option<AnalysisFile>,
    #[serde(default)]
    pub(crate) weights: Option<OrderedTable<f64>>,
    #[serde(default)]
    pub(crate) constraints: Option<ConstraintsFile>,
    #[serde(default, rename = "service")]
    pub(crate) services: Vec<Spanned<ServiceFile>>,
    #[serde(default)]
    pub(crate) shared_kernel: Option<SharedKernelFile>,
    #[serde(default)]
    pub(crate) proxy: Option<toml::Table>,
}

/// Only the version, read before the rest so that a newer file gets a version error rather
/// than a complaint about a field this version does not know.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionProbe {
    pub(crate) version: Option<Spanned<toml::Value>>,
}

/// `[monolith]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MonolithFile {
    pub(crate) name: Spanned<String>,
    pub(crate) source: Spanned<String>,
    #[serde(default)]
    pub(crate) upstream: Option<Spanned<String>>,
}

/// `[analysis]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalysisFile {
    #[serde(default)]
    pub(crate) seed: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) resolution: Option<Spanned<f64>>,
    #[serde(default)]
    pub(crate) services: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) all_targets: Option<bool>,
}

/// `[constraints]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConstraintsFile {
    #[serde(default)]
    pub(crate) together: Vec<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) apart: Vec<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) fixed_services: Option<bool>,
}

/// One `[[service]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceFile {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) modules: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) upstream: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) tables: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) rank: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) routes: Option<OrderedTable<RouteValueFile>>,
}

/// `[shared_kernel]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SharedKernelFile {
    #[serde(default)]
    pub(crate) modules: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) on_move: Option<crate::plan::KernelOnMove>,
}

/// A route's value: `"canary"`, or `{ state = "canary", percent = 25 }`.
#[derive(Debug)]
pub(crate) enum RouteValueFile {
    State(String),
    Table(RouteTableFile),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteTableFile {
    pub(crate) state: Spanned<String>,
    #[serde(default)]
    pub(crate) percent: Option<Spanned<i64>>,
}

/// A table with free keys, in the order the file writes them (`toml` hands keys over sorted,
/// so they are put back in order by their position).
#[derive(Debug)]
pub(crate) struct OrderedTable<V>(pub(crate) Vec<(Spanned<String>, Spanned<V>)>);

impl<'de> Deserialize<'de> for RouteValueFile {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RouteValueVisitor;

        impl<'de> Visitor<'de> for RouteValueVisitor {
            type Value = RouteValueFile;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a state, or a table with `state` and `percent`")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<RouteValueFile, E> {
                Ok(RouteValueFile::State(value.to_string()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RouteValueFile, A::Error> {
                RouteTableFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RouteValueFile::Table)
            }
        }

        deserializer.deserialize_any(RouteValueVisitor)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedTable<V> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for TableVisitor<V> {
            type Value = OrderedTable<V>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a table")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedTable<V>, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<V>)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                entries.sort_by_key(|(key, _)| key.span().start);
                Ok(OrderedTable(entries))
            }
        }

        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}
