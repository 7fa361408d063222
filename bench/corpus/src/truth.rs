//! The development corpus's truth, as `../shared/corpus/truth/README.md` defines it: the domain
//! label of every `.rs` file (longest matching prefix, with alternatives), the routes each
//! server serves, and the tables each label owns. Reads the files; judges nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

/// One application's truth.
#[derive(Debug, Default)]
pub struct Truth {
    prefixes: Vec<(String, String)>,
    pub alternatives: BTreeMap<String, Vec<String>>,
    /// Label -> tables it owns.
    pub tables: BTreeMap<String, Vec<String>>,
    /// (method, normalised full path).
    pub routes: BTreeSet<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct TruthFile {
    #[serde(default)]
    prefixes: BTreeMap<String, String>,
    #[serde(default)]
    alternatives: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    tables: BTreeMap<String, Vec<String>>,
}

impl Truth {
    pub fn load(truth_file: &Path, routes_file: &Path) -> anyhow::Result<Truth> {
        let text = std::fs::read_to_string(truth_file)
            .with_context(|| format!("reading {}", truth_file.display()))?;
        let parsed: TruthFile =
            toml::from_str(&text).with_context(|| format!("parsing {}", truth_file.display()))?;
        let routes_text = std::fs::read_to_string(routes_file)
            .with_context(|| format!("reading {}", routes_file.display()))?;
        let routes = parse_routes(&routes_text)
            .with_context(|| format!("parsing {}", routes_file.display()))?;
        let mut prefixes: Vec<(String, String)> = parsed.prefixes.into_iter().collect();
        // Longest key first, so the first match is the longest.
        prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(Truth {
            prefixes,
            alternatives: parsed.alternatives,
            tables: parsed.tables,
            routes,
        })
    }

    /// The label of a file (path relative to the analysis root), by the longest key that
    /// covers it: a key ending in `/` covers the folder, any other key exactly one file.
    pub fn label_of(&self, file: &str) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|(key, _)| {
                if key.ends_with('/') {
                    file.starts_with(key.as_str())
                } else {
                    file == key
                }
            })
            .map(|(_, label)| label.as_str())
    }

    /// Every table some label owns, lower-cased.
    pub fn all_tables(&self) -> BTreeSet<String> {
        self.tables
            .values()
            .flatten()
            .map(|table| normalise_table(table))
            .collect()
    }
}

/// Whether a label is one of the non-service labels (`_shared`, `_test`, ...).
pub fn is_ignored(label: &str) -> bool {
    label.starts_with('_')
}

fn parse_routes(text: &str) -> anyhow::Result<BTreeSet<(String, String)>> {
    let mut routes = BTreeSet::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 {
            bail!("line {}: expected method, path and mount", number + 1);
        }
        let full = format!("{}/{}", fields[2], fields[1]);
        routes.insert((fields[0].to_ascii_uppercase(), normalise_path(&full)));
    }
    Ok(routes)
}

/// The truth README's normal form: repeated `/` collapsed, no trailing `/` (except for `/`),
/// no `?query`, every parameter segment (`<id>`, `<path..>`, `{id}`, `{*rest}`, `:id`, `*rest`)
/// written `{}`.
pub fn normalise_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::new();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        out.push('/');
        let is_parameter = segment.starts_with('<')
            || segment.starts_with('{')
            || segment.starts_with(':')
            || segment.starts_with('*');
        out.push_str(if is_parameter { "{}" } else { segment });
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Lower case, without quotes or a schema qualifier.
pub fn normalise_table(name: &str) -> String {
    let name = name.trim_matches(|c| c == '"' || c == '`');
    let name = name.rsplit('.').next().unwrap_or(name);
    name.trim_matches(|c| c == '"' || c == '`')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_as_the_truth_readme_says() {
        assert_eq!(normalise_path("/api/v1//users/"), "/api/v1/users");
        assert_eq!(normalise_path("/"), "/");
        assert_eq!(normalise_path("//"), "/");
        assert_eq!(normalise_path("/posts/<id>?<page>"), "/posts/{}");
        assert_eq!(normalise_path("/static/<path..>"), "/static/{}");
        assert_eq!(normalise_path("/a/{id}/b/{*rest}"), "/a/{}/b/{}");
        assert_eq!(normalise_path("/a/:id/*rest"), "/a/{}/{}");
        assert_eq!(normalise_path("/x/{_:.*}"), "/x/{}");
    }

    #[test]
    fn routes_join_mount_and_path() {
        let text = "method\tpath\tmount\thandler\thandler_file\tdeclared_in\n\
                    get\t/users/<id>\t/api\th\tf.rs\tf.rs:1\n\
                    POST\t/\t/\th\tf.rs\tf.rs:2\n";
        let routes = parse_routes(text).unwrap();
        let expected: BTreeSet<(String, String)> = [
            ("GET".to_string(), "/api/users/{}".to_string()),
            ("POST".to_string(), "/".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(routes, expected);
    }

    #[test]
    fn the_longest_key_wins_and_file_keys_match_exactly() {
        let truth = Truth {
            prefixes: vec![
                ("src/users/admin.rs".into(), "admin".into()),
                ("src/users/".into(), "users".into()),
                ("src/".into(), "_shared".into()),
            ],
            ..Truth::default()
        };
        assert_eq!(truth.label_of("src/users/admin.rs"), Some("admin"));
        assert_eq!(truth.label_of("src/users/admin.rs.bak"), Some("users"));
        assert_eq!(truth.label_of("src/users/mod.rs"), Some("users"));
        assert_eq!(truth.label_of("src/main.rs"), Some("_shared"));
        assert_eq!(truth.label_of("build.rs"), None);
    }

    #[test]
    fn tables_compare_without_case_quotes_or_schema() {
        assert_eq!(normalise_table("\"public\".\"Users\""), "users");
        assert_eq!(normalise_table("`orders`"), "orders");
    }
}
