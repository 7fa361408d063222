//! Shadow traffic: a route with a `shadow` table answers from its targets (the monolith) as
//! usual and sends a copy of the request, fire and forget, to a new service; the two answers
//! are compared and the route's counters, mismatch samples and noisy fields updated. The
//! request path only admits the copy ([`ShadowRuntime::admit`]: sampled by `percent`, a safe
//! method unless `mirror_writes`, an upgrade never, a permit of the route's `max_concurrent`
//! taken with `try_acquire`, so over capacity the copy is dropped and counted), takes the
//! request body (read into memory only when its declared length fits `max_body_bytes`; the
//! proxy's `start_shadow`), hands it to [`ShadowRuntime::spawn`] and wraps the primary
//! response in a [`Tee`]. Nothing on that path waits for the copy; routes without `shadow` pay
//! one `Option` check.
//!
//! The task spawned per copy sends it (with `x-ficus-shadow: 1`) to the shadow upstream and,
//! with `noise_upstream` and a safe method (a write never goes to a monolith twice), to a
//! second monolith instance, each bounded by `timeout_ms` and read up to
//! `max_response_bytes`; it is never retried, and it neither counts for nor against the
//! upstreams' passive health. It then waits for the primary answer from the [`Tee`] (at most
//! `timeout_ms` plus the route's request timeout), compares ([`compare`]), discounts the places
//! where the two monolith answers differ ([`compare::discount_noise`]), and records the result
//! ([`ShadowRecord`], [`crate::metrics::ShadowMetrics`]). Field paths are in [`path`].

pub mod compare;
pub mod path;
mod record;
mod tee;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::HeaderValue;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::body::ProxyBody;
use crate::config::settings::{Route, Shadow};
use crate::metrics::{Metrics, ShadowDrop, ShadowMetrics};
use crate::upstream::{FailureKind, UpstreamPool};
use compare::{Answer, Difference};
pub use record::ShadowRecord;
pub use tee::{PrimaryAnswer, Tee};

/// Header every copy carries, so the new service (and its logs) can tell copies apart.
pub const SHADOW_HEADER: &str = "x-ficus-shadow";
/// [`SHADOW_HEADER`] as a name, checked at compile time rather than parsed per request.
pub const SHADOW: http::HeaderName = http::HeaderName::from_static(SHADOW_HEADER);

/// Differences kept in one mismatch sample; the sample says how many there were.
pub const MAX_SAMPLE_DIFFERENCES: usize = 50;

/// Characters of each body kept in a mismatch sample.
pub const SAMPLE_BODY_CHARS: usize = 2048;

/// Request header fields whose values a sample never shows.
const REDACTED_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// The compiled shadow of one route.
pub struct ShadowRuntime {
    pub route_name: String,
    pub settings: Shadow,
    pool: Arc<UpstreamPool>,
    noise_pool: Option<Arc<UpstreamPool>>,
    permits: Arc<Semaphore>,
    pub record: Arc<ShadowRecord>,
    pub metrics: ShadowMetrics,
    /// How long a task waits for the primary answer: `timeout` plus the route's request
    /// timeout.
    primary_wait: Duration,
}

/// A request admitted for copying; holds one of the route's `max_concurrent` permits.
pub struct Admitted {
    permit: OwnedSemaphorePermit,
}

/// How one exchange with the shadow or noise upstream failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExchangeFailure {
    Timeout,
    Error,
    TooLarge,
}

/// An answer read whole: status, header fields, body.
type WholeAnswer = (u16, HeaderMap, Bytes);

impl ShadowRuntime {
    /// Compiles `route`'s shadow. Samples, learned noise and the permits are kept from
    /// `previous` (the same route in the runtime before a reload) when its shadow settings
    /// are equal. Validation guarantees the upstreams exist.
    pub fn new(
        route: &Route,
        shadow: &Shadow,
        upstreams: &HashMap<String, Arc<UpstreamPool>>,
        previous: Option<&ShadowRuntime>,
        metrics: &Metrics,
    ) -> ShadowRuntime {
        let kept = previous.filter(|previous| previous.settings == *shadow);
        let route_timeout = route.request_timeout.unwrap_or_else(|| {
            route
                .targets
                .iter()
                .map(|target| upstreams[&target.upstream].settings.request_timeout)
                .max()
                .unwrap_or_default()
        });
        ShadowRuntime {
            route_name: route.name.clone(),
            settings: shadow.clone(),
            pool: Arc::clone(&upstreams[&shadow.upstream]),
            noise_pool: shadow
                .noise_upstream
                .as_ref()
                .map(|name| Arc::clone(&upstreams[name])),
            permits: kept.map_or_else(
                || Arc::new(Semaphore::new(shadow.max_concurrent)),
                |kept| Arc::clone(&kept.permits),
            ),
            record: kept.map_or_else(
                || Arc::new(ShadowRecord::new(shadow.samples)),
                |kept| Arc::clone(&kept.record),
            ),
            metrics: metrics.shadow(&route.name),
            primary_wait: shadow.timeout + route_timeout,
        }
    }

    /// Whether this request is copied: sampled, a safe method (or `mirror_writes`), not an
    /// upgrade, and a permit free (else dropped and counted as `capacity`). Cheap: decided
    /// before any body is read.
    pub fn admit(&self, method: &Method, is_upgrade: bool) -> Option<Admitted> {
        if is_upgrade || !(is_safe(method) || self.settings.mirror_writes) {
            return None;
        }
        if self.settings.percent < 100 && fastrand::u8(0..100) >= self.settings.percent {
            return None;
        }
        match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => Some(Admitted { permit }),
            Err(_) => {
                self.metrics.record_drop(ShadowDrop::Capacity);
                None
            }
        }
    }

    /// Largest request body copied.
    pub fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }

    /// Counts a request not copied for `reason`.
    pub fn record_drop(&self, reason: ShadowDrop) {
        self.metrics.record_drop(reason);
    }

    /// Spawns the copy of the request `parts` with `body`; returns the sender the primary
    /// answer goes through ([`ShadowRuntime::attach`]).
    pub fn spawn(
        self: &Arc<ShadowRuntime>,
        admitted: Admitted,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> oneshot::Sender<PrimaryAnswer> {
        let (sender, receiver) = oneshot::channel();
        let mut copy = parts.clone();
        copy.headers.insert(SHADOW, HeaderValue::from_static("1"));
        self.metrics.mirrored.inc();
        let shadow = Arc::clone(self);
        tokio::spawn(async move {
            let _permit = admitted.permit;
            shadow.run(copy, body, receiver).await;
        });
        sender
    }

    /// The primary response with its body copied for the comparison.
    pub fn attach(
        &self,
        response: Response<ProxyBody>,
        sender: oneshot::Sender<PrimaryAnswer>,
    ) -> Response<ProxyBody> {
        Tee::attach(response, self.settings.max_response_bytes, sender)
    }

    /// Answers compared so far, and how many of them differed.
    pub fn comparisons(&self) -> (u64, u64) {
        let mismatched = self.metrics.mismatched.get();
        (self.metrics.matched.get() + mismatched, mismatched)
    }

    /// Counters, learned noise and, with `with_samples`, the mismatch samples, as the admin
    /// API shows them.
    pub fn status_json(&self, with_samples: bool) -> Value {
        let matched = self.metrics.matched.get();
        let mismatched = self.metrics.mismatched.get();
        let compared = matched + mismatched;
        let dropped: serde_json::Map<String, Value> = self
            .metrics
            .dropped()
            .map(|(reason, count)| (reason.to_owned(), Value::from(count)))
            .collect();
        let mut status = json!({
            "route": self.route_name,
            "upstream": self.settings.upstream,
            "noise_upstream": self.settings.noise_upstream,
            "percent": self.settings.percent,
            "mirror_writes": self.settings.mirror_writes,
            "mirrored": self.metrics.mirrored.get(),
            "compared": compared,
            "matched": matched,
            "mismatched": mismatched,
            "mismatch_rate": (compared > 0).then(|| mismatched as f64 / compared as f64),
            "dropped": dropped,
            "noisy_fields": self.record.noisy_fields(),
        });
        if with_samples {
            status["samples"] = Value::Array(self.record.samples());
        }
        status
    }

    /// The task of one copy; see the module doc.
    async fn run(
        &self,
        copy: http::request::Parts,
        body: Bytes,
        primary: oneshot::Receiver<PrimaryAnswer>,
    ) {
        let timeout = self.settings.timeout;
        let max_response = self.settings.max_response_bytes;
        // A write never goes to the noise upstream: it is the monolith, not a sandbox.
        let noise_pool = self.noise_pool.as_ref().filter(|_| is_safe(&copy.method));
        let noise = async {
            match noise_pool {
                Some(pool) => {
                    Some(exchange(pool, copy.clone(), body.clone(), timeout, max_response).await)
                }
                None => None,
            }
        };
        let shadow = exchange(
            &self.pool,
            copy.clone(),
            body.clone(),
            timeout,
            max_response,
        );
        let primary = tokio::time::timeout(self.primary_wait, primary);
        let (shadow, noise, primary) = tokio::join!(shadow, noise, primary);

        let drop = match (&shadow, &noise, &primary) {
            (Err(failure), _, _) => Some(match failure {
                ExchangeFailure::Timeout => ShadowDrop::Timeout,
                ExchangeFailure::Error => ShadowDrop::Error,
                ExchangeFailure::TooLarge => ShadowDrop::ResponseTooLarge,
            }),
            (_, Some(Err(failure)), _) => Some(match failure {
                ExchangeFailure::Timeout => ShadowDrop::NoiseTimeout,
                ExchangeFailure::Error => ShadowDrop::NoiseError,
                ExchangeFailure::TooLarge => ShadowDrop::ResponseTooLarge,
            }),
            (_, _, Ok(Ok(PrimaryAnswer::TooLarge))) => Some(ShadowDrop::ResponseTooLarge),
            (_, _, Err(_) | Ok(Err(_))) => Some(ShadowDrop::PrimaryIncomplete),
            _ => None,
        };
        if let Some(reason) = drop {
            self.metrics.record_drop(reason);
            tracing::debug!(route = %self.route_name, reason = ?reason, "shadow copy not compared");
            return;
        }
        let (
            Ok((shadow_status, shadow_headers, shadow_body)),
            Ok(Ok(PrimaryAnswer::Whole {
                status,
                headers,
                body: primary_body,
            })),
        ) = (shadow, primary)
        else {
            // Every other case was a drop above.
            return;
        };
        let rules = &self.settings.compare;
        let primary = Answer::new(status, &headers, primary_body, rules);
        let shadow = Answer::new(shadow_status, &shadow_headers, shadow_body, rules);
        let differences = compare::compare(rules, &primary, &shadow);
        let (differences, discounted) = match noise {
            Some(Ok((noise_status, noise_headers, noise_body))) => {
                let noise = Answer::new(noise_status, &noise_headers, noise_body, rules);
                let noisy = compare::compare(rules, &primary, &noise);
                self.record.learn_noise(&noisy);
                compare::discount_noise(differences, &noisy)
            }
            _ => (differences, Vec::new()),
        };
        if differences.is_empty() {
            self.metrics.matched.inc();
            return;
        }
        self.metrics.mismatched.inc();
        self.record.add_sample(sample(
            &copy,
            body.len(),
            &primary,
            &shadow,
            &differences,
            &discounted,
            rules,
        ));
    }
}

/// `GET`, `HEAD`, `OPTIONS` and `TRACE`: the methods copied without `mirror_writes`.
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Sends one copy to `pool` and reads its answer whole, all within `timeout`. Never retried.
async fn exchange(
    pool: &UpstreamPool,
    parts: http::request::Parts,
    body: Bytes,
    timeout: Duration,
    max_response: usize,
) -> Result<WholeAnswer, ExchangeFailure> {
    let attempt = async {
        let address_idx = pool.pick_address(&[]).ok_or(ExchangeFailure::Error)?;
        let request = Request::from_parts(parts, ProxyBody::full(body));
        let response = pool
            .send(address_idx, request, Some(timeout))
            .await
            .map_err(|failure| match failure {
                FailureKind::Timeout => ExchangeFailure::Timeout,
                FailureKind::Connect | FailureKind::Reset | FailureKind::Protocol => {
                    ExchangeFailure::Error
                }
            })?;
        let (parts, body) = response.into_parts();
        let body = http_body_util::Limited::new(body, max_response)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    ExchangeFailure::TooLarge
                } else {
                    ExchangeFailure::Error
                }
            })?
            .to_bytes();
        Ok((parts.status.as_u16(), parts.headers, body))
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or(Err(ExchangeFailure::Timeout))
}

/// One mismatch as people read it: the request line and header fields (credentials
/// redacted), both answers (bodies cut to [`SAMPLE_BODY_CHARS`]) and the differences.
fn sample(
    request: &http::request::Parts,
    request_body_bytes: usize,
    primary: &Answer,
    shadow: &Answer,
    differences: &[Difference],
    discounted: &[Difference],
    rules: &crate::config::settings::CompareRules,
) -> Value {
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut request_headers = serde_json::Map::new();
    for name in request.headers.keys() {
        let value = if REDACTED_HEADERS.contains(&name.as_str()) {
            "[redacted]".to_owned()
        } else {
            request
                .headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        request_headers.insert(name.as_str().to_owned(), Value::String(value));
    }
    let answer_json = |answer: &Answer| {
        let headers: serde_json::Map<String, Value> = rules
            .headers
            .iter()
            .zip(&answer.headers)
            .filter_map(|(name, value)| Some((name.clone(), Value::String(value.clone()?))))
            .collect();
        json!({
            "status": answer.status,
            "headers": headers,
            "body": compare::text_preview(&answer.body, SAMPLE_BODY_CHARS),
        })
    };
    // A side where the place is absent has no key (a JSON `null` is a value).
    let difference_json = |difference: &Difference| {
        let mut entry = serde_json::Map::new();
        entry.insert(
            "at".to_owned(),
            Value::String(difference.location.to_string()),
        );
        for (side, value) in [
            ("primary", &difference.primary),
            ("shadow", &difference.shadow),
        ] {
            if let Some(value) = value {
                entry.insert(side.to_owned(), value.clone());
            }
        }
        Value::Object(entry)
    };
    json!({
        "time": time,
        "request": {
            "method": request.method.as_str(),
            "target": request.uri.path_and_query().map_or("/", |target| target.as_str()),
            "headers": request_headers,
            "body_bytes": request_body_bytes,
        },
        "primary": answer_json(primary),
        "shadow": answer_json(shadow),
        "n_differences": differences.len(),
        "differences": differences
            .iter()
            .take(MAX_SAMPLE_DIFFERENCES)
            .map(difference_json)
            .collect::<Vec<_>>(),
        "discounted_as_noise": discounted
            .iter()
            .map(|difference| difference.location.to_string())
            .collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests;
