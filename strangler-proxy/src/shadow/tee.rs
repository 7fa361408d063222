//! The primary response body on its way to the client, copied for the comparison: each frame
//! is passed on as it comes (nothing waits for the copy) and its data kept, up to the route's
//! `max_response_bytes`. When the body ends, the status, header fields and bytes go to the
//! shadow task through a oneshot channel; a body past the limit sends [`PrimaryAnswer::TooLarge`]
//! at once and keeps nothing more; a body that fails or is dropped before its end sends
//! nothing, which the task reads as an incomplete primary.

use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Response};
use hyper::body::{Body, Frame};
use tokio::sync::oneshot;

use crate::body::{BoxError, ProxyBody};

/// What the shadow task learns of the primary answer.
#[derive(Debug)]
pub enum PrimaryAnswer {
    Whole {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    },
    /// Its body was larger than `max_response_bytes`.
    TooLarge,
}

/// A response body copied on its way through; see the module doc.
#[derive(Debug)]
pub struct Tee {
    inner: ProxyBody,
    copy: Option<Copy>,
}

#[derive(Debug)]
struct Copy {
    status: u16,
    headers: HeaderMap,
    chunks: Vec<Bytes>,
    n_bytes: usize,
    limit: usize,
    sender: oneshot::Sender<PrimaryAnswer>,
}

impl Tee {
    /// `response` with its body copied for `sender`, up to `limit` bytes.
    pub fn attach(
        response: Response<ProxyBody>,
        limit: usize,
        sender: oneshot::Sender<PrimaryAnswer>,
    ) -> Response<ProxyBody> {
        let (parts, body) = response.into_parts();
        let mut tee = Tee {
            copy: Some(Copy {
                status: parts.status.as_u16(),
                headers: parts.headers.clone(),
                chunks: Vec::new(),
                n_bytes: 0,
                limit,
                sender,
            }),
            inner: body,
        };
        if tee.inner.is_end_stream() {
            // The server may never poll a body that is already over.
            tee.finish();
            return Response::from_parts(parts, tee.take_inner());
        }
        Response::from_parts(parts, ProxyBody::Teed(Box::new(tee)))
    }

    pub fn poll_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.keep(data);
                }
                if self.inner.is_end_stream() {
                    self.finish();
                }
            }
            Poll::Ready(None) => self.finish(),
            // Dropping the sender tells the task the primary answer is incomplete.
            Poll::Ready(Some(Err(_))) => self.copy = None,
            Poll::Pending => {}
        }
        polled
    }

    pub fn inner(&self) -> &ProxyBody {
        &self.inner
    }

    fn take_inner(&mut self) -> ProxyBody {
        std::mem::replace(&mut self.inner, ProxyBody::Empty)
    }

    fn keep(&mut self, data: &Bytes) {
        let Some(copy) = &mut self.copy else { return };
        if copy.n_bytes + data.len() > copy.limit {
            if let Some(copy) = self.copy.take() {
                let _ = copy.sender.send(PrimaryAnswer::TooLarge);
            }
            return;
        }
        copy.n_bytes += data.len();
        copy.chunks.push(data.clone());
    }

    fn finish(&mut self) {
        let Some(copy) = self.copy.take() else { return };
        let body = match copy.chunks.len() {
            0 => Bytes::new(),
            1 => copy.chunks[0].clone(),
            _ => {
                let mut joined = BytesMut::with_capacity(copy.n_bytes);
                for chunk in &copy.chunks {
                    joined.extend_from_slice(chunk);
                }
                joined.freeze()
            }
        };
        // The task may have given up already (its wait timed out); nothing to do then.
        let _ = copy.sender.send(PrimaryAnswer::Whole {
            status: copy.status,
            headers: copy.headers,
            body,
        });
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        if self.copy.is_some() && self.inner.is_end_stream() {
            self.finish();
        }
    }
}
