//! `POST /migration/{shift,rollback,pause,resume,promote}`: hand controls of a plan route's
//! migration, each audited like every change (the controller is `crate::migration`).

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{Value, json};

use super::{AdminState, audit, json_response};
use crate::migration::Refused;

pub(super) fn no_ledger() -> Response<Full<Bytes>> {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"error": "no migration ledger: set ledger in the plan's [proxy.plan_routes]"}),
    )
}

/// `POST /migration/ACTION` with `{"route": "GET /x"}` (and `"percent"` for `shift`):
/// `shift`, `rollback`, `pause`, `resume`, `promote`. Audited like every change.
pub(super) async fn migration_change(
    state: &AdminState,
    peer: SocketAddr,
    action: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let Some(migration) = state.migration.clone() else {
        return no_ledger();
    };
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let route = request
        .get("route")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let percent = request.get("percent").and_then(Value::as_u64);
    let refuse = |status: StatusCode, error: String| {
        let details = json!({"action": action, "body": String::from_utf8_lossy(body)});
        audit(state, peer, "migration", &details, &Err(error.clone()));
        json_response(status, &json!({ "error": error }))
    };
    let Some(route) = route else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "expected {\"route\": \"METHOD /path\"}".to_owned(),
        );
    };
    let by = format!("admin ({peer})");
    let action_owned = action.to_owned();
    let result = match action {
        "shift" => {
            let Some(percent) = percent.filter(|percent| *percent <= 100) else {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "percent: expected an integer from 0 to 100".to_owned(),
                );
            };
            let route = route.clone();
            tokio::task::spawn_blocking(move || migration.shift(&route, percent as u8, &by)).await
        }
        "rollback" => {
            let route = route.clone();
            tokio::task::spawn_blocking(move || migration.roll_back(&route, &by)).await
        }
        "pause" | "resume" => {
            let route = route.clone();
            let pause = action == "pause";
            tokio::task::spawn_blocking(move || migration.pause(&route, pause)).await
        }
        "promote" => {
            let route = route.clone();
            tokio::task::spawn_blocking(move || migration.promote(&route, &by)).await
        }
        _ => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!(
                    "no migration action {action_owned:?} (shift, rollback, pause, resume, promote)"
                ),
            );
        }
    };
    let result = result.unwrap_or_else(|error| Err(Refused::Failed(error.to_string())));
    let details = json!({"action": action, "route": route, "percent": percent});
    match result {
        Ok(value) => {
            audit(state, peer, "migration", &details, &Ok(()));
            json_response(StatusCode::OK, &value)
        }
        Err(refused) => {
            let (status, error) = match refused {
                Refused::UnknownRoute(error) => (StatusCode::NOT_FOUND, error),
                Refused::Conflict(error) => (StatusCode::CONFLICT, error),
                Refused::Failed(error) => (StatusCode::INTERNAL_SERVER_ERROR, error),
            };
            audit(state, peer, "migration", &details, &Err(error.clone()));
            json_response(status, &json!({ "error": error }))
        }
    }
}
