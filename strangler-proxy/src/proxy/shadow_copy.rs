//! Phase 4b of the request path, on routes with a `shadow` table: whether the copy is made
//! and with which body (see [`start_shadow`]). The copy's own work is [`crate::shadow`]'s;
//! this file only decides, from the prepared request, what the copy takes with it.

use std::sync::Arc;

use hyper::body::Body;
use tokio::sync::oneshot;

use super::{BodySource, Prepared};
use crate::body::collect_limited;
use crate::metrics::ShadowDrop;
use crate::respond::ProxyErrorKind;
use crate::shadow::{PrimaryAnswer, ShadowRuntime};

/// Phase 4b: whether the shadow admits this request and, if so, its copy spawned with the
/// body: a kept body as it is; a streamed one read into memory first when its declared length
/// fits `max_body_bytes` (and then kept for the primary's attempts too); any other is not
/// copied and counted. The sender the primary answer goes through, or the bad request a body
/// shorter than declared is.
pub(super) async fn start_shadow(
    shadow: &Arc<ShadowRuntime>,
    prepared: &mut Prepared,
) -> Result<Option<oneshot::Sender<PrimaryAnswer>>, ProxyErrorKind> {
    let Some(admitted) = shadow.admit(&prepared.parts.method, prepared.client_upgrade.is_some())
    else {
        return Ok(None);
    };
    let max_body_bytes = shadow.max_body_bytes();
    let body = match &mut prepared.body {
        BodySource::Kept(bytes) if bytes.len() <= max_body_bytes => bytes.clone(),
        BodySource::Streamed(slot)
            if slot.as_ref().is_some_and(|incoming| {
                incoming
                    .size_hint()
                    .exact()
                    .is_some_and(|length| length <= max_body_bytes as u64)
            }) =>
        {
            let Some(incoming) = slot.take() else {
                return Ok(None);
            };
            match collect_limited(incoming, max_body_bytes).await {
                Ok(Some(bytes)) => {
                    prepared.body = BodySource::Kept(bytes.clone());
                    bytes
                }
                // The declared length was a lie or the client went away: nothing to forward.
                Ok(None) | Err(_) => return Err(ProxyErrorKind::BadRequest),
            }
        }
        _ => {
            shadow.record_drop(ShadowDrop::BodyTooLarge);
            return Ok(None);
        }
    };
    Ok(Some(shadow.spawn(admitted, &prepared.parts, body)))
}
