//! The one body type the proxy sends both ways: a streamed [`Incoming`] body, a kept copy of a
//! small request body ([`ProxyBody::Full`]), nothing, a primary response copied for a shadow
//! comparison ([`crate::shadow::Tee`]), or a streamed body that can be taken back
//! when a request failed before anything of it was read ([`Reclaimable`]).
//!
//! Why the last one: the upstream client takes the request by value, so after a connect error
//! its body is gone, yet nothing of it was sent and the request could go elsewhere (another
//! address, or the monolith). A [`Reclaimable`] body leaves the [`Incoming`] in a shared slot
//! until its first poll; [`ReclaimHandle::reclaim`] takes it back if no poll happened. This
//! module never buffers a whole body: [`ProxyBody::Full`] is built only by the caller, from a
//! body whose declared length fits the replay buffer.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

/// A request or response body, see the module doc.
#[derive(Debug)]
pub enum ProxyBody {
    Empty,
    /// A complete body held in memory; `None` once sent.
    Full(Option<Bytes>),
    Incoming(Incoming),
    Reclaimable(Reclaimable),
    /// A response from an upstream, which hands its connection back when read to the end.
    Upstream(crate::upstream::UpstreamBody),
    /// A primary response of a shadowed route, copied for the comparison on its way.
    Teed(Box<crate::shadow::Tee>),
}

/// The error type of [`ProxyBody`]: hyper's, or [`BodyTooLarge`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A streamed request body went past `[limits] max_body_bytes`.
#[derive(Debug, thiserror::Error)]
#[error("request body larger than {max} bytes")]
pub struct BodyTooLarge {
    pub max: u64,
}

/// A streamed body whose source stays reclaimable until the first poll.
#[derive(Debug)]
pub struct Reclaimable {
    slot: Arc<Mutex<Option<Incoming>>>,
    taken: Option<Incoming>,
    size_hint: SizeHint,
    limit: Option<BodyLimit>,
}

/// Counts a streamed body against `[limits] max_body_bytes`; `exceeded` tells the request
/// path, after the upstream attempt failed, that the client was the cause.
#[derive(Debug)]
pub struct BodyLimit {
    pub max: u64,
    seen: u64,
    pub exceeded: Arc<AtomicBool>,
}

impl BodyLimit {
    pub fn new(max: u64, exceeded: Arc<AtomicBool>) -> BodyLimit {
        BodyLimit {
            max,
            seen: 0,
            exceeded,
        }
    }
}

/// Takes back the source of a [`Reclaimable`] that was never polled.
#[derive(Debug, Clone)]
pub struct ReclaimHandle {
    slot: Arc<Mutex<Option<Incoming>>>,
}

impl ProxyBody {
    pub fn full(bytes: Bytes) -> ProxyBody {
        if bytes.is_empty() {
            ProxyBody::Empty
        } else {
            ProxyBody::Full(Some(bytes))
        }
    }

    /// A body that can be taken back through the handle until it is first polled, cut off
    /// with [`BodyTooLarge`] once it passes `limit`.
    pub fn reclaimable(incoming: Incoming, limit: Option<BodyLimit>) -> (ProxyBody, ReclaimHandle) {
        let size_hint = incoming.size_hint();
        let slot = Arc::new(Mutex::new(Some(incoming)));
        let body = ProxyBody::Reclaimable(Reclaimable {
            slot: Arc::clone(&slot),
            taken: None,
            size_hint,
            limit,
        });
        (body, ReclaimHandle { slot })
    }
}

impl ReclaimHandle {
    /// The untouched source, if the body was never polled.
    pub fn reclaim(&self) -> Option<Incoming> {
        // A poisoned lock means a poll panicked mid-take; the body is then not reclaimable.
        self.slot.lock().ok()?.take()
    }
}

/// Reads `incoming` to the end, up to `limit` bytes; `Ok(None)` when it turned out longer
/// (the caller then answers 413 or streams: it only calls this for a declared length).
pub async fn collect_limited(
    incoming: Incoming,
    limit: usize,
) -> Result<Option<Bytes>, hyper::Error> {
    let limited = http_body_util::Limited::new(incoming, limit);
    match limited.collect().await {
        Ok(collected) => Ok(Some(collected.to_bytes())),
        Err(error) => match error.downcast::<hyper::Error>() {
            Ok(error) => Err(*error),
            Err(_length_limit) => Ok(None),
        },
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ProxyBody::Empty => Poll::Ready(None),
            ProxyBody::Full(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            ProxyBody::Incoming(incoming) => Pin::new(incoming).poll_frame(cx).map_err(Into::into),
            ProxyBody::Upstream(upstream) => Pin::new(upstream).poll_frame(cx).map_err(Into::into),
            ProxyBody::Teed(tee) => tee.poll_frame(cx),
            ProxyBody::Reclaimable(reclaimable) => {
                if reclaimable.taken.is_none() {
                    reclaimable.taken = reclaimable
                        .slot
                        .lock()
                        .ok()
                        .and_then(|mut slot| slot.take());
                }
                let polled = match &mut reclaimable.taken {
                    Some(incoming) => Pin::new(incoming).poll_frame(cx).map_err(BoxError::from),
                    // Reclaimed by the handle: the request failed already, nothing to send.
                    None => return Poll::Ready(None),
                };
                if let (Poll::Ready(Some(Ok(frame))), Some(limit)) =
                    (&polled, &mut reclaimable.limit)
                    && let Some(data) = frame.data_ref()
                {
                    limit.seen += data.len() as u64;
                    if limit.seen > limit.max {
                        limit.exceeded.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(Box::new(BodyTooLarge { max: limit.max }))));
                    }
                }
                polled
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ProxyBody::Empty => true,
            ProxyBody::Full(bytes) => bytes.is_none(),
            ProxyBody::Incoming(incoming) => incoming.is_end_stream(),
            ProxyBody::Upstream(upstream) => upstream.is_end_stream(),
            ProxyBody::Teed(tee) => tee.inner().is_end_stream(),
            ProxyBody::Reclaimable(reclaimable) => match &reclaimable.taken {
                Some(incoming) => incoming.is_end_stream(),
                None => reclaimable.size_hint.exact() == Some(0),
            },
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Empty => SizeHint::with_exact(0),
            ProxyBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |bytes| bytes.len() as u64))
            }
            ProxyBody::Incoming(incoming) => incoming.size_hint(),
            ProxyBody::Upstream(upstream) => upstream.size_hint(),
            ProxyBody::Teed(tee) => tee.inner().size_hint(),
            ProxyBody::Reclaimable(reclaimable) => match &reclaimable.taken {
                Some(incoming) => incoming.size_hint(),
                None => reclaimable.size_hint,
            },
        }
    }
}
