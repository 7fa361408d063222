//! One pass over a request's field names that notes which of the fields the request path acts
//! on it carries. The request path then skips the lookups (a hash of the name and a probe of
//! the map each) and the passes of their own that would find nothing: most requests carry none
//! of these fields, and a request path that looked each one up paid for some fifteen lookups.
//!
//! A field noted may still be gone by the time it is used (hop-by-hop removal drops what
//! `Connection` lists): the user then looks it up as before. A field not noted is absent, as
//! long as the request path has not added it since, which each user knows.

use http::HeaderMap;

use super::forwarding::FORWARDING_NAMES;
use super::hop_by_hop::is_hop_by_hop_name;
use super::request_id::REQUEST_ID_HEADER;
use super::trace_context::{TRACEPARENT_HEADER, TRACESTATE_HEADER};

/// The fields a [`FieldCensus`] notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Host,
    ContentLength,
    TransferEncoding,
    Upgrade,
    /// Any field that is hop-by-hop whether `Connection` lists it or not (`Connection`, `TE`,
    /// `Transfer-Encoding`, `Upgrade`, `Keep-Alive`, ...).
    HopByHop,
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` or `Forwarded`.
    Forwarding,
    Via,
    RequestId,
    Traceparent,
    Tracestate,
    Cookie,
    /// The target override header of the split (`x-ficus-target`).
    Override,
    /// The mark of a shadow copy (`x-ficus-shadow`).
    Shadow,
    /// A field whose name holds `_`.
    Underscore,
}

impl Field {
    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// Which [`Field`]s a request carried when the census was taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldCensus {
    bits: u16,
}

impl FieldCensus {
    /// One pass over the names of `headers`.
    pub fn of(headers: &HeaderMap) -> FieldCensus {
        let bits = headers
            .keys()
            .fold(0, |bits, name| bits | fields_of(name.as_str()));
        FieldCensus { bits }
    }

    /// Whether the request carried `field`; false means it did not.
    pub fn has(self, field: Field) -> bool {
        self.bits & field.bit() != 0
    }
}

/// The bits of the fields `name` (lowercase, as `http` keeps names) counts as.
fn fields_of(name: &str) -> u16 {
    let named = match name {
        "host" => Field::Host.bit(),
        "content-length" => Field::ContentLength.bit(),
        "transfer-encoding" => Field::TransferEncoding.bit() | Field::HopByHop.bit(),
        "upgrade" => Field::Upgrade.bit() | Field::HopByHop.bit(),
        "via" => Field::Via.bit(),
        "cookie" => Field::Cookie.bit(),
        REQUEST_ID_HEADER => Field::RequestId.bit(),
        TRACEPARENT_HEADER => Field::Traceparent.bit(),
        TRACESTATE_HEADER => Field::Tracestate.bit(),
        crate::split::OVERRIDE_HEADER => Field::Override.bit(),
        crate::shadow::SHADOW_HEADER => Field::Shadow.bit(),
        _ if is_hop_by_hop_name(name.as_bytes()) => Field::HopByHop.bit(),
        _ if FORWARDING_NAMES.iter().any(|known| known.as_str() == name) => Field::Forwarding.bit(),
        _ => 0,
    };
    if name.contains('_') {
        named | Field::Underscore.bit()
    } else {
        named
    }
}
