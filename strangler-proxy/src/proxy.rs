//! The request path in phases, all run by [`handle`] in one future: each phase is a function
//! of its own with what it needs passed in (`prepare` hands `send` and `respond` a `Prepared`
//! request), so that a new phase (shadowing, a rollout's gates) hooks in between two calls:
//!
//! 1. **limits**: the request target's length (hyper already enforced header count and size,
//!    framing and the header read timeout);
//! 2. **route**: the compiled table picks the route ([`crate::route_table`]);
//! 3. **pick**: the route's split picks a target: override, sticky key or weighted random
//!    ([`crate::split`]);
//! 4. **prepare** (`prepare`): hop-by-hop fields out, `Host` from an absolute-form target,
//!    forwarding fields, request id and `traceparent` in ([`crate::headers`]); the body is kept
//!    for replay when it is small and the method idempotent, else streamed;
//!    4b. **shadow** (`start_shadow` in `proxy/shadow_copy.rs`, routes with a `shadow` table
//!    only): the copy admitted or not, its body taken, its task spawned ([`crate::shadow`]);
//!    the primary response's body is then copied on its way out for the comparison, and
//!    nothing waits for the copy;
//! 5. **send** (`send`), with the retry and fallback rules below;
//! 6. **respond** (`respond`): hop-by-hop fields out of the response, `Via` and the request id
//!    in, a WebSocket (or other) upgrade joined into a tunnel;
//! 7. **log** (`log_and_count`): metrics and one access-log event.
//!
//! # Retries and fallback
//!
//! A failed attempt is tried again only when the request can be replayed: nothing reached the
//! upstream (connect error; the pool itself resends, on another connection, a request that a
//! pooled connection handed back unwritten), or the method is idempotent and the whole body is
//! still at hand (no body, a kept copy, or a streamed body not yet read). After a connect
//! error the next attempt goes to another address of the same upstream, if one is left; after
//! a broken connection, one more attempt on the same upstream. When the upstream is used up,
//! a route with `fallback` sends the request to the default upstream (the monolith) under the
//! same rules. Timeouts and invalid responses are never retried: the upstream may be working
//! on the request. Nothing is retried once a response has started, since the response goes to
//! the client as it arrives.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST, HeaderValue};
use http::{Method, Request, Response, Version};
use hyper::body::{Body, Incoming};
use hyper_util::rt::TokioIo;
use smallvec::SmallVec;

use crate::body::{BodyLimit, ProxyBody, ReclaimHandle, collect_limited};
use crate::config::settings::Route;
use crate::headers::{self, ClientConnection, Field, FieldCensus};
use crate::respond::{ProxyErrorKind, error_response};
use crate::runtime::{RouteRuntime, Runtime, Shared, TargetRuntime};
use crate::split;
use crate::upstream::FailureKind;

mod request_checks;
mod shadow_copy;

use request_checks::{
    declared_length_exceeds, is_idempotent, is_upgrade_request, request_host,
    transfer_coding_problem,
};
use shadow_copy::start_shadow;

/// The hyper service of one client connection.
#[derive(Clone)]
pub struct ProxyService {
    pub shared: Arc<Shared>,
    /// Where its requests come from: the TCP peer and how they reach the proxy (`"https"`
    /// when the listener terminates TLS, else `"http"`), with the forwarding values written
    /// once for the connection.
    pub client: Arc<ClientConnection>,
}

impl hyper::service::Service<Request<Incoming>> for ProxyService {
    type Response = Response<ProxyBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ProxyBody>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        Box::pin(handle(
            Arc::clone(&self.shared),
            Arc::clone(&self.client),
            request,
        ))
    }
}

/// What the access log and metrics learn about one request.
struct Outcome<'runtime> {
    route: &'runtime RouteRuntime,
    route_name: &'runtime str,
    target: Option<&'runtime str>,
    /// The target whose upstream answered (the fallback's, after a fallback).
    answered: Option<&'runtime TargetRuntime>,
    address: Option<&'runtime str>,
    pick_reason: Option<split::PickReason>,
    retries: u32,
    fell_back: bool,
    error: Option<ProxyErrorKind>,
    /// The target the split picked, when the route counts answers for a rollout.
    rollout_pick: Option<&'runtime TargetRuntime>,
}

/// The request body as the attempts see it.
enum BodySource {
    /// Empty, or kept whole: every attempt gets a copy.
    Kept(Bytes),
    /// Streamed; the next attempt can have it only if no attempt read from it.
    Streamed(Option<Incoming>),
}

/// Proxies one request; never fails (errors become responses).
///
/// All seven phases run in this one future, each phase a call: the functions that wait
/// (`send`, the shadow's start, reading a kept body) are awaited from here, and the others are
/// plain functions. The request and the response are large values, and every `async fn`
/// layer they pass through moves them again (and its future keeps a slot for each argument),
/// so the layers are few. (An `async` block rather than an `async fn`: the block uses the values
/// it captures in place, where an `async fn` moves each argument into a local of its own and
/// keeps both slots in its future.)
#[allow(clippy::manual_async_fn)] // the future's size: see above
pub fn handle(
    shared: Arc<Shared>,
    client: Arc<ClientConnection>,
    request: Request<Incoming>,
) -> impl Future<Output = Result<Response<ProxyBody>, Infallible>> + Send {
    async move {
        let started = Instant::now();
        let runtime = shared.runtime();
        let method = request.method().clone();
        let version = request.version();
        // Copied only when it will be logged.
        let path_for_log = if runtime.settings.access_log {
            request.uri().path().to_owned()
        } else {
            String::new()
        };

        // Phase 1 and 2: limits, route.
        let census = FieldCensus::of(request.headers());
        let host = request_host(&request);
        let (rank, route) = route_request(&runtime, &request, host.as_ref());
        let mut outcome = Outcome {
            route: &runtime.routes[rank],
            route_name: &route.name,
            target: None,
            answered: None,
            address: None,
            pick_reason: None,
            retries: 0,
            fell_back: false,
            error: None,
            rollout_pick: None,
        };

        let mut response = 'forward: {
            if let Some(kind) = refusal(&runtime, &request, census) {
                outcome.error = Some(kind);
                break 'forward error_response(kind, &route.name, None, None);
            }

            // Phase 3: pick.
            let pick = split::pick(route, request.headers(), request.uri().query());
            outcome.pick_reason = Some(pick.reason);
            // Borrowed from the runtime the request holds: no reference counting per request.
            let target: &TargetRuntime = &outcome.route.targets[pick.target_idx];
            if target.rollout.is_some() {
                outcome.rollout_pick = Some(target);
            }

            // Phase 4: prepare; a small body of an idempotent request is read whole first.
            let mut prepared = prepare(&runtime, &client, request, census, host);
            if prepared.keep_body
                && let BodySource::Streamed(slot) = &mut prepared.body
                && let Some(incoming) = slot.take()
            {
                match collect_limited(incoming, runtime.settings.limits.replay_buffer_bytes).await {
                    Ok(Some(bytes)) => prepared.body = BodySource::Kept(bytes),
                    // The declared length was a lie or the client went away: nothing to forward.
                    Ok(None) | Err(_) => {
                        outcome.error = Some(ProxyErrorKind::BadRequest);
                        break 'forward error_response(
                            ProxyErrorKind::BadRequest,
                            &route.name,
                            None,
                            prepared.request_id.as_ref(),
                        );
                    }
                }
            }

            // Phase 4b: shadow, on routes that have one: the copy is spawned and never waited for.
            let shadow_started = match &outcome.route.shadow {
                None => None,
                Some(shadow) => match start_shadow(shadow, &mut prepared).await {
                    Ok(started) => started.map(|sender| (shadow, sender)),
                    Err(kind) => {
                        outcome.error = Some(kind);
                        break 'forward error_response(
                            kind,
                            &route.name,
                            None,
                            prepared.request_id.as_ref(),
                        );
                    }
                },
            };

            // Phase 5: send. A failure drops the shadow's sender: the copy is not compared.
            let (response, target) = match send(
                &shared,
                &runtime,
                route,
                target,
                &mut prepared,
                &mut outcome,
            )
            .await
            {
                Ok(answered) => answered,
                Err(answer) => break 'forward answer,
            };
            outcome.target = Some(target.pool.name());
            outcome.answered = Some(target);
            let mut response = match shadow_started {
                Some((shadow, sender)) => shadow.attach(response, sender),
                None => response,
            };

            // Phase 6: respond.
            respond(
                &runtime,
                &mut response,
                prepared.client_upgrade,
                prepared.request_id,
            );
            response
        };
        if matches!(
            outcome.error,
            Some(
                ProxyErrorKind::ConnectNotSupported
                    | ProxyErrorKind::UnsupportedTransferCoding
                    | ProxyErrorKind::BadRequest
                    | ProxyErrorKind::BodyTooLarge
            )
        ) {
            // The request's body, or what a tunnel client sends next, was not read: the
            // connection cannot carry another request safely.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }

        // Phase 7: log.
        log_and_count(
            &runtime,
            &outcome,
            &method,
            version,
            client.peer(),
            &path_for_log,
            &response,
            started,
        );
        Ok(response)
    }
}

/// Phase 2: the rank and the route the table picks for `request`.
fn route_request<'runtime>(
    runtime: &'runtime Runtime,
    request: &Request<Incoming>,
    host: Option<&HeaderValue>,
) -> (usize, &'runtime Route) {
    let header_pairs: Vec<(&str, &str)> = if runtime.matches_headers {
        request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect()
    } else {
        Vec::new()
    };
    let found = runtime.table.match_request(
        request.method().as_str(),
        host.filter(|_| runtime.matches_hosts)
            .and_then(|host| host.to_str().ok()),
        request.uri().path(),
        &header_pairs,
    );
    (found.rank, found.route)
}

/// Phase 1: why the proxy answers `request` itself without forwarding it, if it does: a target
/// or a declared body over the limits, `CONNECT`, or a transfer coding it cannot frame.
fn refusal(
    runtime: &Runtime,
    request: &Request<Incoming>,
    census: FieldCensus,
) -> Option<ProxyErrorKind> {
    let limits = &runtime.settings.limits;
    let uri_len = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if uri_len > limits.max_uri_bytes {
        Some(ProxyErrorKind::UriTooLong)
    } else if declared_length_exceeds(request, limits.max_body_bytes) {
        Some(ProxyErrorKind::BodyTooLarge)
    } else if request.method() == Method::CONNECT {
        // An authority-form target names a host to tunnel to; a reverse proxy has no business
        // opening tunnels for clients (WebSocket uses an upgraded GET instead).
        Some(ProxyErrorKind::ConnectNotSupported)
    } else if census.has(Field::TransferEncoding) {
        transfer_coding_problem(request)
    } else {
        None
    }
}

/// The request as phase 4 prepares it for the attempts of phase 5 and the response of phase 6.
struct Prepared {
    /// The head every attempt is cloned from.
    parts: http::request::Parts,
    body: BodySource,
    /// The streamed body is to be read whole and kept before the first attempt: the method is
    /// idempotent and the declared length fits the replay buffer.
    keep_body: bool,
    idempotent: bool,
    request_id: Option<HeaderValue>,
    /// The client's side of a connection upgrade, when it asked for one.
    client_upgrade: Option<hyper::upgrade::OnUpgrade>,
}

/// Phase 4: hop-by-hop fields out, `Host`, forwarding fields, request id and `traceparent`
/// in; the body marked to be kept for replay when it is small and the method idempotent, else
/// streamed.
///
/// The census was taken of the request's fields as it arrived: each step below that only
/// removes or reads a field the request did not carry is skipped.
fn prepare(
    runtime: &Runtime,
    client: &ClientConnection,
    mut request: Request<Incoming>,
    census: FieldCensus,
    host: Option<HeaderValue>,
) -> Prepared {
    let is_upgrade = census.has(Field::Upgrade) && is_upgrade_request(&request);
    let client_upgrade = is_upgrade.then(|| hyper::upgrade::on(&mut request));
    let (mut parts, incoming) = request.into_parts();
    if census.has(Field::Override) || census.has(Field::Cookie) {
        split::strip_override(&mut parts.headers);
    }
    if census.has(Field::HopByHop) {
        headers::remove_hop_by_hop(&mut parts.headers, is_upgrade);
    }
    if census.has(Field::Underscore) && !runtime.settings.headers.underscores_in_headers {
        headers::remove_underscored(&mut parts.headers);
    }
    if census.has(Field::ContentLength) {
        parts.headers.remove(CONTENT_LENGTH);
    }
    // RFC 9112 section 3.2.2: the host of an absolute-form target replaces `Host` (as HTTP/2's
    // `:authority` does, RFC 9113 section 8.3.1); the upstream gets origin-form. (No step above
    // removes `Host`.)
    if (parts.uri.authority().is_some() || !census.has(Field::Host))
        && let Some(host) = &host
    {
        parts.headers.insert(HOST, host.clone());
    }
    let trusted = runtime.settings.trusted_hops.contains(client.peer().ip());
    // The mark of a shadow copy is this proxy's to set: a client cannot make its request look
    // like one to the service (a trusted hop, another proxy of ours, may pass it on).
    if !trusted && census.has(Field::Shadow) {
        parts.headers.remove(crate::shadow::SHADOW);
    }
    let client_info = headers::ClientInfo {
        connection: client,
        host,
        version: parts.version,
    };
    let header_options = runtime.settings.headers;
    headers::set_forwarding_fields(
        &mut parts.headers,
        census,
        &client_info,
        trusted,
        &runtime.via,
        header_options.forwarding,
    );
    let request_id = headers::set_request_ids(
        &mut parts.headers,
        census,
        trusted,
        headers::RequestIds {
            request_id: header_options.request_id,
            trace_context: header_options.trace_context,
        },
    );
    // Upstream connections are HTTP/1.1 or HTTP/2 by the upstream's settings, whatever the
    // client spoke.
    parts.version = Version::HTTP_11;

    let idempotent = is_idempotent(&parts.method);
    let (body, keep_body) = if incoming.is_end_stream() {
        (BodySource::Kept(Bytes::new()), false)
    } else {
        let keep = idempotent
            && incoming
                .size_hint()
                .exact()
                .is_some_and(|length| length <= runtime.settings.limits.replay_buffer_bytes as u64);
        (BodySource::Streamed(Some(incoming)), keep)
    };
    Prepared {
        parts,
        body,
        keep_body,
        idempotent,
        request_id,
        client_upgrade,
    }
}

/// Phase 5: attempts on `target`'s addresses, with the retry and fallback rules of the module
/// doc. The response and the target that gave it, or the proxy's own answer.
async fn send<'runtime>(
    shared: &Shared,
    runtime: &'runtime Runtime,
    route: &'runtime Route,
    mut target: &'runtime TargetRuntime,
    prepared: &mut Prepared,
    outcome: &mut Outcome<'runtime>,
) -> Result<(Response<ProxyBody>, &'runtime TargetRuntime), Response<ProxyBody>> {
    let route_runtime = outcome.route;
    // Only a streamed body is counted against the limit on its way (a kept one was measured).
    let body_too_large = match (&prepared.body, runtime.settings.limits.max_body_bytes) {
        (BodySource::Streamed(Some(_)), Some(_)) => Some(Arc::new(AtomicBool::new(false))),
        _ => None,
    };
    // On the stack for the usual few addresses: no allocation per request.
    let mut tried_addresses: SmallVec<[usize; 4]> = SmallVec::new();
    let mut retry_left = true;
    let mut last_failure: Option<FailureKind> = None;
    // Set after a replayable failure; counted as a retry only if the same target is tried
    // again (a fallback is counted as a fallback instead).
    let mut retry_pending = false;
    loop {
        let Some(address_idx) = target.pool.pick_address(&tried_addresses) else {
            // No usable address left on this upstream.
            if let Some(fallback) = fallback_target(route_runtime, target, outcome, &prepared.body)
            {
                target.metrics.record_fallback_to(&fallback.metrics);
                target = fallback;
                tried_addresses.clear();
                retry_left = true;
                retry_pending = false;
                continue;
            }
            let kind = match last_failure {
                None => ProxyErrorKind::NoHealthyAddress,
                Some(failure) => error_kind(failure),
            };
            return Err(answer_failure(
                outcome,
                route,
                target,
                kind,
                prepared.request_id.as_ref(),
            ));
        };
        if std::mem::take(&mut retry_pending) {
            outcome.retries += 1;
            target.metrics.record_retry();
        }
        tried_addresses.push(address_idx);
        let limit = runtime
            .settings
            .limits
            .max_body_bytes
            .zip(body_too_large.as_ref())
            .map(|(max, exceeded)| BodyLimit::new(max, Arc::clone(exceeded)));
        let (attempt_body, reclaim) = attempt_body(&mut prepared.body, limit);
        let attempt = Request::from_parts(prepared.parts.clone(), attempt_body);
        match target
            .pool
            .send(address_idx, attempt, route.request_timeout)
            .await
        {
            Ok(response) => {
                target.pool.report_success(address_idx);
                outcome.address = Some(target.pool.addresses[address_idx].text.as_str());
                return Ok((response, target));
            }
            Err(failure) => {
                if body_too_large
                    .as_ref()
                    .is_some_and(|exceeded| exceeded.load(Ordering::Relaxed))
                {
                    // The client's body, not the upstream, ended this attempt.
                    outcome.error = Some(ProxyErrorKind::BodyTooLarge);
                    return Err(error_response(
                        ProxyErrorKind::BodyTooLarge,
                        &route.name,
                        None,
                        prepared.request_id.as_ref(),
                    ));
                }
                last_failure = Some(failure);
                target.metrics.record_upstream_error(failure.label());
                if target.pool.report_failure(address_idx) {
                    record_ejection(shared, target, address_idx);
                }
                tracing::debug!(
                    route = %route.name,
                    upstream = %target.pool.name(),
                    address = %target.pool.addresses[address_idx].text,
                    failure = failure.label(),
                    "upstream attempt failed"
                );
                if let Some(reclaim) = reclaim {
                    prepared.body = BodySource::Streamed(reclaim.reclaim());
                }
                let replayable = match failure {
                    FailureKind::Connect => has_body(&prepared.body),
                    FailureKind::Reset => prepared.idempotent && has_body(&prepared.body),
                    FailureKind::Timeout | FailureKind::Protocol => false,
                };
                if !replayable {
                    let kind = error_kind(failure);
                    return Err(answer_failure(
                        outcome,
                        route,
                        target,
                        kind,
                        prepared.request_id.as_ref(),
                    ));
                }
                match failure {
                    // Another address of the same upstream, if any is left.
                    FailureKind::Connect => {}
                    // One more try on the same upstream, any address (a fresh connection).
                    _ if retry_left => {
                        retry_left = false;
                        tried_addresses.pop();
                    }
                    // Used up: let the next turn fall back or answer.
                    _ => tried_addresses.extend(0..target.pool.addresses.len()),
                }
                retry_pending = true;
            }
        }
    }
}

/// Phase 6: hop-by-hop fields out of the response, `Via` and the request id in, and an
/// upgrade the upstream accepted joined with the client's into a tunnel.
/// The response is changed in place: it is a large value, and each move copies it.
fn respond(
    runtime: &Runtime,
    response: &mut Response<ProxyBody>,
    client_upgrade: Option<hyper::upgrade::OnUpgrade>,
    request_id: Option<HeaderValue>,
) {
    let switching = response.status() == http::StatusCode::SWITCHING_PROTOCOLS;
    if switching && let Some(client_upgrade) = client_upgrade {
        let upstream_upgrade = hyper::upgrade::on(&mut *response);
        tokio::spawn(async move {
            let (Ok(client), Ok(upstream)) = tokio::join!(client_upgrade, upstream_upgrade) else {
                return;
            };
            let mut client = TokioIo::new(client);
            let mut upstream = TokioIo::new(upstream);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        });
    }
    let header_options = runtime.settings.headers;
    let upstream_version = response.version();
    let response_headers = response.headers_mut();
    headers::remove_hop_by_hop(response_headers, switching);
    if header_options.forwarding.via {
        headers::append_via_response(response_headers, upstream_version, &runtime.via);
    }
    if header_options.request_id
        && let Some(request_id) = request_id
    {
        response_headers
            .entry(headers::REQUEST_ID)
            .or_insert(request_id);
    }
    *response.version_mut() = Version::HTTP_11;
}

/// The proxy's own answer when `target` failed for good: recorded in `outcome` for the log and
/// metrics, and sent to the client naming the route and upstream.
fn answer_failure<'runtime>(
    outcome: &mut Outcome<'runtime>,
    route: &'runtime Route,
    target: &'runtime TargetRuntime,
    kind: ProxyErrorKind,
    request_id: Option<&HeaderValue>,
) -> Response<ProxyBody> {
    outcome.target = Some(target.pool.name());
    outcome.error = Some(kind);
    error_response(kind, &route.name, Some(target.pool.name()), request_id)
}

/// The body for the next attempt, and the handle to take a streamed one back after a failure.
fn attempt_body(
    body: &mut BodySource,
    limit: Option<BodyLimit>,
) -> (ProxyBody, Option<ReclaimHandle>) {
    match body {
        BodySource::Kept(bytes) => (ProxyBody::full(bytes.clone()), None),
        BodySource::Streamed(incoming) => match incoming.take() {
            Some(incoming) => {
                let (body, reclaim) = ProxyBody::reclaimable(incoming, limit);
                (body, Some(reclaim))
            }
            None => (ProxyBody::Empty, None),
        },
    }
}

fn has_body(body: &BodySource) -> bool {
    match body {
        BodySource::Kept(_) => true,
        BodySource::Streamed(incoming) => incoming.is_some(),
    }
}

/// The default upstream, when the route falls back, the request is replayable and it is not
/// the upstream that just failed.
fn fallback_target<'runtime>(
    route: &'runtime RouteRuntime,
    failed: &TargetRuntime,
    outcome: &mut Outcome<'_>,
    body: &BodySource,
) -> Option<&'runtime TargetRuntime> {
    let fallback = route.fallback.as_ref()?;
    if outcome.fell_back || Arc::ptr_eq(&fallback.pool, &failed.pool) || !has_body(body) {
        return None;
    }
    outcome.fell_back = true;
    Some(fallback)
}

/// Logs and counts an address that passive health just ejected.
fn record_ejection(shared: &Shared, target: &TargetRuntime, address_idx: usize) {
    let address = &target.pool.addresses[address_idx].text;
    shared.metrics.record_ejection(target.pool.name(), address);
    tracing::warn!(
        upstream = %target.pool.name(),
        address = %address,
        "address ejected after consecutive failures"
    );
}

fn error_kind(failure: FailureKind) -> ProxyErrorKind {
    match failure {
        FailureKind::Connect | FailureKind::Reset => ProxyErrorKind::Unreachable,
        FailureKind::Protocol => ProxyErrorKind::BadResponse,
        FailureKind::Timeout => ProxyErrorKind::Timeout,
    }
}

/// For a rollout's gates: the picked target failed when the proxy answered for it or it fell
/// back (the client may still have had an answer), or when it answered with a 5xx; the
/// default upstream's answer after a fallback counts for the monolith's side too.
fn record_rollout(
    outcome: &Outcome<'_>,
    picked: &TargetRuntime,
    status: u16,
    elapsed: std::time::Duration,
) {
    let Some(stats) = &picked.rollout else {
        return;
    };
    let failed = outcome.error.is_some() || outcome.fell_back || status >= 500;
    stats.record(elapsed, failed);
    if outcome.fell_back
        && let Some(monolith) = outcome
            .route
            .targets
            .iter()
            .find(|target| Some(target.pool.name()) == outcome.target)
            .and_then(|target| target.rollout.as_ref())
    {
        monolith.record(elapsed, status >= 500);
    }
}

#[allow(clippy::too_many_arguments)]
fn log_and_count(
    runtime: &Runtime,
    outcome: &Outcome<'_>,
    method: &Method,
    version: Version,
    peer: SocketAddr,
    path: &str,
    response: &Response<ProxyBody>,
    started: Instant,
) {
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let answered = outcome.answered.filter(|_| outcome.error.is_none());
    if let Some(last) = answered.and_then(|target| target.last_answer_ms.as_ref()) {
        last.store(
            crate::ledger::now_ms(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    let target_metrics = answered.map(|candidate| &candidate.metrics);
    if let Some(picked) = outcome.rollout_pick {
        record_rollout(outcome, picked, status, elapsed);
    }
    match target_metrics {
        Some(metrics) => metrics.record_response(status, elapsed),
        None => outcome
            .route
            .metrics
            .proxy_answered()
            .record_response(status, elapsed),
    }
    if !runtime.settings.access_log {
        return;
    }
    tracing::info!(
        target: "ficus::access",
        peer = %peer,
        method = %method,
        path = %path,
        version = ?version,
        route = outcome.route_name,
        upstream = outcome.target.unwrap_or(crate::metrics::NO_TARGET),
        address = outcome.address.unwrap_or(""),
        status,
        duration_us = elapsed.as_micros() as u64,
        retries = outcome.retries,
        fallback = outcome.fell_back,
        pick = outcome.pick_reason.map_or("", |reason| reason.as_str()),
        error = outcome.error.map_or("", |kind| kind.code()),
        request_id = response
            .headers()
            .get(&headers::REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .unwrap_or(""),
    );
}
