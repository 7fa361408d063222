//! `PUT /routes/{name}/weights`: a weight change written to the configuration file first
//! (only the `weight` values change; comments and layout stay, through `toml_edit`), then
//! reloaded like any other change, so the file always says what is running.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{Value, json};

use super::{AdminState, audit, json_response, write_atomically};
use crate::config;
use crate::reload;

/// Body: `{"weights": {"<upstream>": <weight>, ...}}`; upstreams not named keep their weight.
pub(super) async fn set_weights(
    state: &AdminState,
    peer: SocketAddr,
    route_name: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    // A refused change is audited too, with the reason.
    let refuse = |status: StatusCode, error: String| {
        let details = json!({"route": route_name, "body": String::from_utf8_lossy(body)});
        audit(state, peer, "set_weights", &details, &Err(error.clone()));
        json_response(status, &json!({ "error": error }))
    };
    let request: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("body is not JSON: {error}"),
            );
        }
    };
    let Some(weights) = request.get("weights").and_then(Value::as_object) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "expected {\"weights\": {\"<upstream>\": <weight>}}".to_owned(),
        );
    };
    let mut new_weights = BTreeMap::new();
    for (upstream, weight) in weights {
        let Some(weight) = weight
            .as_u64()
            .and_then(|weight| u32::try_from(weight).ok())
        else {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "weights.{upstream}: expected an integer from 0 to {}",
                    u32::MAX
                ),
            );
        };
        new_weights.insert(upstream.clone(), weight);
    }

    let runtime = state.shared.runtime();
    let Some(route) = runtime
        .table
        .routes()
        .find(|route| route.name == route_name)
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("no route named {route_name:?}"),
        );
    };
    let before: BTreeMap<String, u32> = route
        .targets
        .iter()
        .map(|target| (target.upstream.clone(), target.weight))
        .collect();
    if let Some(unknown) = new_weights
        .keys()
        .find(|upstream| !before.contains_key(*upstream))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "weights.{unknown}: not a target of route {route_name:?}; add targets in the file"
            ),
        );
    }
    let mut after = before.clone();
    after.extend(new_weights.clone());
    if after.values().all(|weight| *weight == 0) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "every weight would be 0; at least one target needs a weight above 0".to_owned(),
        );
    }
    drop(runtime);

    let config_path = state.shared.config_path.clone();
    let shared = Arc::clone(&state.shared);
    let route_owned = route_name.to_owned();
    let weights_owned = new_weights.clone();
    let result = tokio::task::spawn_blocking(move || {
        let old_text = std::fs::read_to_string(&config_path)
            .map_err(|error| format!("{}: {error}", config_path.display()))?;
        let new_text = rewrite_weights(&old_text, &route_owned, &weights_owned).map_err(
            |error| match error {
                RewriteError::NotWritten(_) => format!("{NOT_WRITTEN_PREFIX}{error}"),
                RewriteError::Invalid(_) => format!("{}: {error}", config_path.display()),
            },
        )?;
        write_atomically(&config_path, &new_text)
            .map_err(|error| format!("{}: {error}", config_path.display()))?;
        if let Err(error) = reload::reload(&shared) {
            // The edit made the file invalid (it should not): put the old text back.
            let _ = write_atomically(&config_path, &old_text);
            return Err(error.to_string());
        }
        Ok(())
    })
    .await
    .unwrap_or_else(|error| Err(error.to_string()));

    let details = json!({"route": route_name, "before": before, "after": after});
    audit(state, peer, "set_weights", &details, &result);
    match result {
        Ok(()) => json_response(
            StatusCode::OK,
            &json!({"route": route_name, "weights": after}),
        ),
        Err(error) => match error.strip_prefix(NOT_WRITTEN_PREFIX) {
            Some(error) => json_response(StatusCode::CONFLICT, &json!({"error": error})),
            None => json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"error": error})),
        },
    }
}

/// Marks a weight change refused because the route comes from the plan's migration states.
const NOT_WRITTEN_PREFIX: &str = "not written: ";

/// Why [`rewrite_weights`] could not edit the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// The route is not a `[[route]]` table of the file: it comes from a plan's migration
    /// states (`[service.routes]`), whose state is what to change.
    #[error(
        "route {0:?} is not written in the file; it comes from the plan's [service.routes], change its state there"
    )]
    NotWritten(String),
    #[error("{0}")]
    Invalid(String),
}

/// Sets the `weight` of the named targets of route `route_name` in the TOML text, in either
/// a proxy file (`[[route]]`) or a plan file (`[[proxy.route]]`), keeping everything else.
pub fn rewrite_weights(
    text: &str,
    route_name: &str,
    weights: &BTreeMap<String, u32>,
) -> Result<String, RewriteError> {
    rewrite_weights_inner(text, route_name, weights)
}

fn rewrite_weights_inner(
    text: &str,
    route_name: &str,
    weights: &BTreeMap<String, u32>,
) -> Result<String, RewriteError> {
    let invalid = RewriteError::Invalid;
    let mut document: toml_edit::DocumentMut = text
        .parse()
        .map_err(|error: toml_edit::TomlError| invalid(error.to_string()))?;
    // The same rule the loader uses to tell a plan from a proxy file.
    let table: toml::Table = toml::from_str(text).map_err(|error| invalid(error.to_string()))?;
    let routes = if config::Source::detect(&table) == config::Source::Plan {
        document["proxy"].get_mut("route")
    } else {
        document.get_mut("route")
    };
    let not_written = || RewriteError::NotWritten(route_name.to_owned());
    let routes = routes
        .and_then(toml_edit::Item::as_array_of_tables_mut)
        .ok_or_else(not_written)?;
    let route = routes
        .iter_mut()
        .find(|route| route.get("name").and_then(toml_edit::Item::as_str) == Some(route_name))
        .ok_or_else(not_written)?;
    let targets = route
        .get_mut("targets")
        .ok_or_else(|| invalid(format!("route {route_name:?} has no targets")))?;
    let mut seen = Vec::new();
    if let Some(array) = targets.as_array_mut() {
        for target in array.iter_mut() {
            if let Some(table) = target.as_inline_table_mut()
                && let Some(upstream) = table
                    .get("upstream")
                    .and_then(toml_edit::Value::as_str)
                    .map(str::to_owned)
                && let Some(weight) = weights.get(&upstream)
            {
                table.insert("weight", i64::from(*weight).into());
                seen.push(upstream);
            }
        }
    } else if let Some(tables) = targets.as_array_of_tables_mut() {
        for table in tables.iter_mut() {
            if let Some(upstream) = table
                .get("upstream")
                .and_then(toml_edit::Item::as_str)
                .map(str::to_owned)
                && let Some(weight) = weights.get(&upstream)
            {
                table["weight"] = toml_edit::value(i64::from(*weight));
                seen.push(upstream);
            }
        }
    }
    if let Some(missing) = weights.keys().find(|upstream| !seen.contains(upstream)) {
        return Err(invalid(format!(
            "route {route_name:?} has no target {missing:?} in the file"
        )));
    }
    Ok(document.to_string())
}
