//! The traffic split: given the route a request matched, [`pick`] chooses which of the route's
//! targets gets it. Pure logic called once per request by the server: no I/O, no clock, no
//! shared state, and no allocation on the path that picks. It does not match routes (see
//! [`crate::route_table`]), does not validate weights (validation guarantees at least one
//! target with a weight above 0), does not set cookies to make a choice stick (sticky choices
//! are recomputed from the key every time), and knows nothing of upstream health or
//! fallback. It never changes the request either: the server calls [`strip_override`] on every
//! request, honoured or not, before forwarding it.
//!
//! # Order of the rules
//!
//! 1. **Override.** When the route has `allow_override`, a tester can force a target with the
//!    header [`OVERRIDE_HEADER`] or the cookie [`OVERRIDE_COOKIE`], whose value is an upstream
//!    name. If the header is present it alone decides (the cookie is not read); a name that
//!    is not one of the route's targets is ignored and the next rules apply. A target with
//!    weight 0 can be forced: that is how testers reach a dark-launched service.
//! 2. **Only.** A route with a single target whose weight is above 0 sends everything there,
//!    without reading a sticky key or touching the random number generator.
//! 3. **Sticky.** When the route has `sticky` and the request carries a non-empty key, the
//!    target is a pure function of (key, upstream names, weights): weighted rendezvous
//!    hashing, see below.
//! 4. **Weighted.** Otherwise a target is drawn with probability weight / sum of weights,
//!    from `fastrand`'s per-thread generator.
//!
//! # Where sticky keys come from
//!
//! - `header`: the first value of the header, surrounding whitespace trimmed, used as bytes.
//! - `cookie`: every `Cookie` header is read as `name=value; name2=value2` (RFC 6265); pairs
//!   are trimmed, pairs without `=` are skipped, names compare exactly (case-sensitive), a
//!   value in double quotes loses its quotes, and the first pair with the name wins. The
//!   value is otherwise used as sent, not percent-decoded.
//! - `query`: the query string as from `Uri::query()` (no leading `?`) is split on `&`, each
//!   parameter at its first `=` (a parameter without `=` has an empty value). Names and
//!   values are decoded as in HTML form encoding: `%XX` becomes the byte 0xXX and `+` becomes
//!   a space, so `user=a%20b` and `user=a+b` are the same key `a b`; a `%` not followed by two
//!   hex digits is kept literally. The decoded name must equal the configured name; the first
//!   matching parameter wins.
//!
//! An absent or empty key falls back to the weighted random pick.
//!
//! # Sticky users: weighted rendezvous hashing
//!
//! For each target with weight `w > 0`, a 64-bit hash of (key, upstream name) gives a number
//! `u` in (0, 1) and the target's score is `w / -ln(u)`; the highest score wins, ties go to
//! the earlier target. `-ln(u) / w` is an exponential variable with rate `w`, so the smallest
//! of them (the highest score) belongs to each target with probability exactly `w / sum`:
//! over many keys, each target gets its weight's share.
//!
//! A target's score depends only on the key, its own name and its own weight, so:
//! - The assignment is a pure function of the key and the `(upstream, weight)` pairs: the
//!   order of the targets and a common factor in the weights (90/10 or 9/1) do not matter.
//! - Raising one target's weight only moves users *to* it; lowering it only moves users
//!   *from* it; returning to an earlier weight gives back exactly the earlier assignment. A
//!   reduction therefore moves the newest users back first (last in, first out).
//! - With two targets, shifting weight from the monolith to the service (90/10, 80/20, 50/50,
//!   0/100) raises one score and lowers the other, so a user on the service never goes back
//!   while the service's share grows.
//!
//! # A hash that never changes
//!
//! Changing the hash would reshuffle every sticky user, and several proxy processes must
//! agree, so the hash is our own, fixed and pinned by tests (std's `DefaultHasher` and
//! `RandomState` are seeded per process or may change between Rust versions): 64-bit FNV-1a
//! over `key, len(key) as u64 LE, name, len(name) as u64 LE` (the lengths keep `("ab", "c")`
//! and `("a", "bc")` apart), then the murmur3 `fmix64` finaliser to spread FNV's weak high
//! bits. `u` is built from the top 52 bits. The one platform-dependent step is `f64::ln` from
//! the system's maths library, which may differ in the last bit between platforms; that can
//! only change a choice whose two best scores are within one rounding step of each other, a
//! chance of about 2^-50 per key.

use http::HeaderMap;
use http::header::{COOKIE, HeaderName, HeaderValue};

use crate::config::settings::{Route, Sticky, Target};

#[cfg(test)]
mod tests;

/// Request header with which a tester forces a target: `x-ficus-target: <upstream name>`.
pub const OVERRIDE_HEADER: &str = "x-ficus-target";
/// [`OVERRIDE_HEADER`] as a name, checked at compile time rather than parsed per request.
const OVERRIDE: HeaderName = HeaderName::from_static(OVERRIDE_HEADER);

/// Cookie with which a tester forces a target: `Cookie: ficus-target=<upstream name>`.
pub const OVERRIDE_COOKIE: &str = "ficus-target";

/// Why [`pick`] chose a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickReason {
    /// A tester forced the target with [`OVERRIDE_HEADER`] or [`OVERRIDE_COOKIE`].
    Override,
    /// Chosen by hashing the request's sticky key.
    Sticky,
    /// Drawn at random by weight.
    Weighted,
    /// The route has a single target with a weight above 0.
    Only,
}

/// The target chosen for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pick {
    /// Index into the route's `targets`.
    pub target_idx: usize,
    pub reason: PickReason,
}

impl PickReason {
    /// Lower-case name for logs and metrics labels: `override`, `sticky`, `weighted`, `only`.
    pub fn as_str(self) -> &'static str {
        match self {
            PickReason::Override => "override",
            PickReason::Sticky => "sticky",
            PickReason::Weighted => "weighted",
            PickReason::Only => "only",
        }
    }
}

/// Chooses the target of `route` for a request with these headers and query string (as from
/// `Uri::query()`, without the `?`). See the module doc for the rules and their order.
pub fn pick(route: &Route, headers: &HeaderMap, query: Option<&str>) -> Pick {
    let targets = route.targets.as_slice();
    if route.allow_override
        && let Some(target_idx) = override_choice(headers, targets)
    {
        return Pick {
            target_idx,
            reason: PickReason::Override,
        };
    }
    if let Some(target_idx) = only_positive_target(targets) {
        return Pick {
            target_idx,
            reason: PickReason::Only,
        };
    }
    if let Some(sticky) = &route.sticky
        && let Some(key) = sticky_key(sticky, headers, query)
        && let Some(target_idx) = rendezvous_choice(&key.hasher(), targets)
    {
        return Pick {
            target_idx,
            reason: PickReason::Sticky,
        };
    }
    Pick {
        // Validation guarantees a weight above 0, so `None` cannot happen; index 0 exists
        // because validation also guarantees at least one target.
        target_idx: weighted_choice(targets, fastrand::u64(..)).unwrap_or(0),
        reason: PickReason::Weighted,
    }
}

/// The sticky target for `key` among `targets` by weighted rendezvous hashing (module doc).
/// `None` only when no target has a weight above 0. An empty key is hashed like any other;
/// [`pick`] never passes one.
pub fn sticky_choice(key: &[u8], targets: &[Target]) -> Option<usize> {
    rendezvous_choice(&StickyKey::Raw(key).hasher(), targets)
}

/// The target that the 64-bit `random` draws: target `i` for a share of weight `i` / sum of
/// the `random` range, in target order (0 gives the first target with a weight above 0,
/// `u64::MAX` the last). `None` when no target has a weight above 0.
pub fn weighted_choice(targets: &[Target], random: u64) -> Option<usize> {
    // At most 2^32 targets of at most 2^32 - 1 each: the sum fits in a u64.
    let total_weight: u64 = targets.iter().map(|target| u64::from(target.weight)).sum();
    if total_weight == 0 {
        return None;
    }
    // Multiply-shift maps `random` onto 0..total_weight with a bias of at most
    // total_weight / 2^64. The product shifted right by 64 is below total_weight, so the
    // cast to u64 loses nothing.
    let mut ticket = ((u128::from(random) * u128::from(total_weight)) >> 64) as u64;
    for (target_idx, target) in targets.iter().enumerate() {
        let weight = u64::from(target.weight);
        if ticket < weight {
            return Some(target_idx);
        }
        ticket -= weight;
    }
    None
}

/// Removes every trace of an override from a request about to be forwarded: all
/// [`OVERRIDE_HEADER`] headers, and the [`OVERRIDE_COOKIE`] pair from every `Cookie` header.
/// Other cookies keep their bytes and order: a `Cookie` header without the override stays as
/// it was, one with it has its other pairs rejoined with `; `, or is dropped if none is left.
/// Does nothing, and allocates nothing, when there is no override.
pub fn strip_override(headers: &mut HeaderMap) {
    headers.remove(OVERRIDE);
    let any_override_cookie = headers.get_all(COOKIE).iter().any(has_override_cookie);
    if !any_override_cookie {
        return;
    }

    let old_cookie_headers: Vec<HeaderValue> = headers.get_all(COOKIE).iter().cloned().collect();
    headers.remove(COOKIE);
    for old_cookie_header in old_cookie_headers {
        if !has_override_cookie(&old_cookie_header) {
            headers.append(COOKIE, old_cookie_header);
            continue;
        }
        let mut kept = Vec::with_capacity(old_cookie_header.len());
        for piece in cookie_pieces(old_cookie_header.as_bytes()) {
            let is_override = split_cookie_piece(piece)
                .is_some_and(|(name, _)| name == OVERRIDE_COOKIE.as_bytes());
            if is_override {
                continue;
            }
            if !kept.is_empty() {
                kept.extend_from_slice(b"; ");
            }
            kept.extend_from_slice(piece);
        }
        if kept.is_empty() {
            continue;
        }
        // Every byte comes from a valid header value (trimmed pieces, so no leading or
        // trailing whitespace) or is `; `, so the new value is valid too.
        let mut new_cookie_header =
            HeaderValue::from_bytes(&kept).expect("pieces of a valid header value joined by `; `");
        new_cookie_header.set_sensitive(old_cookie_header.is_sensitive());
        headers.append(COOKIE, new_cookie_header);
    }
}

/// A sticky key as found in the request, not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StickyKey<'request> {
    /// Used as is: a header value, or a cookie value without its quotes.
    Raw(&'request [u8]),
    /// A query parameter's value, still form-encoded; decoded while it is hashed.
    FormEncoded(&'request [u8]),
}

/// The hash state: FNV-1a so far; [`StableHasher::finish`] applies `fmix64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StableHasher {
    state: u64,
}

/// Decodes form encoding (`%XX` and `+`) byte by byte without allocating.
#[derive(Debug, Clone)]
struct FormDecode<'input> {
    rest: &'input [u8],
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl StickyKey<'_> {
    /// The key's bytes, decoded.
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let (raw, form_encoded) = match self {
            StickyKey::Raw(raw) => (raw.iter().copied(), None),
            StickyKey::FormEncoded(encoded) => ([].iter().copied(), Some(form_decode(encoded))),
        };
        raw.chain(form_encoded.into_iter().flatten())
    }

    /// The hash state after the key and its length, shared by every target's hash.
    fn hasher(&self) -> StableHasher {
        let mut hasher = StableHasher::new();
        let mut key_len: u64 = 0;
        for byte in self.bytes() {
            hasher.write_byte(byte);
            key_len += 1;
        }
        hasher.write(&key_len.to_le_bytes());
        hasher
    }
}

impl StableHasher {
    fn new() -> StableHasher {
        StableHasher {
            state: FNV_OFFSET_BASIS,
        }
    }

    fn write_byte(&mut self, byte: u8) {
        self.state ^= u64::from(byte);
        self.state = self.state.wrapping_mul(FNV_PRIME);
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_byte(byte);
        }
    }

    /// Appends `upstream` and its length to a copy of the key's state and finishes it.
    fn finish_with_upstream(mut self, upstream: &str) -> u64 {
        self.write(upstream.as_bytes());
        // A `usize` always fits in a `u64` on the platforms Rust supports.
        self.write(&(upstream.len() as u64).to_le_bytes());
        self.finish()
    }

    fn finish(self) -> u64 {
        fmix64(self.state)
    }
}

impl Iterator for FormDecode<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (&first, after_first) = self.rest.split_first()?;
        if first == b'%'
            && let [high, low, after_escape @ ..] = after_first
            && let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low))
        {
            self.rest = after_escape;
            return Some(high << 4 | low);
        }
        self.rest = after_first;
        Some(if first == b'+' { b' ' } else { first })
    }
}

/// The target named by the override header, or else the override cookie, if it is one of
/// `targets`.
fn override_choice(headers: &HeaderMap, targets: &[Target]) -> Option<usize> {
    let upstream_name = match headers.get(OVERRIDE) {
        Some(header) => header.as_bytes().trim_ascii(),
        None => find_cookie(headers, OVERRIDE_COOKIE.as_bytes())?,
    };
    targets
        .iter()
        .position(|target| target.upstream.as_bytes() == upstream_name)
}

/// The index of the only target with a weight above 0, if exactly one has.
fn only_positive_target(targets: &[Target]) -> Option<usize> {
    let mut positive = targets
        .iter()
        .enumerate()
        .filter(|(_, target)| target.weight > 0);
    let (target_idx, _) = positive.next()?;
    positive.next().is_none().then_some(target_idx)
}

/// The request's sticky key, if present and not empty.
fn sticky_key<'request>(
    sticky: &Sticky,
    headers: &'request HeaderMap,
    query: Option<&'request str>,
) -> Option<StickyKey<'request>> {
    let key = match sticky {
        // An invalid header name finds nothing rather than panicking.
        Sticky::Header(name) => StickyKey::Raw(headers.get(name.as_str())?.as_bytes().trim_ascii()),
        Sticky::Cookie(name) => StickyKey::Raw(find_cookie(headers, name.as_bytes())?),
        Sticky::Query(name) => StickyKey::FormEncoded(find_query_param(query?, name.as_bytes())?),
    };
    // Decoding never turns a non-empty input into an empty key.
    let (StickyKey::Raw(bytes) | StickyKey::FormEncoded(bytes)) = key;
    (!bytes.is_empty()).then_some(key)
}

/// Weighted rendezvous hashing over the targets with a weight above 0, from the state after
/// hashing the key.
fn rendezvous_choice(key_hasher: &StableHasher, targets: &[Target]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (target_idx, target) in targets.iter().enumerate() {
        if target.weight == 0 {
            continue;
        }
        let hash = key_hasher.finish_with_upstream(&target.upstream);
        // `unit_interval` is below 1, so `-ln` is above 0 and the score finite.
        let score = f64::from(target.weight) / -unit_interval(hash).ln();
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((target_idx, score));
        }
    }
    best.map(|(target_idx, _)| target_idx)
}

/// Maps a hash to (0, 1): the top 52 bits plus one half, over 2^52. Every step is exact
/// (values below 2^52 have room for a half in an f64), so the result is never 0 or 1.
fn unit_interval(hash: u64) -> f64 {
    const TWO_POW_52: f64 = (1_u64 << 52) as f64;
    ((hash >> 12) as f64 + 0.5) / TWO_POW_52
}

/// The murmur3 64-bit finaliser: every input bit affects every output bit.
fn fmix64(mut value: u64) -> u64 {
    value ^= value >> 33;
    value = value.wrapping_mul(0xff51_afd7_ed55_8ccd);
    value ^= value >> 33;
    value = value.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    value ^= value >> 33;
    value
}

fn has_override_cookie(cookie_header: &HeaderValue) -> bool {
    cookie_pairs(cookie_header.as_bytes()).any(|(name, _)| name == OVERRIDE_COOKIE.as_bytes())
}

/// The first cookie named `name` in any `Cookie` header, without quotes.
fn find_cookie<'request>(headers: &'request HeaderMap, name: &[u8]) -> Option<&'request [u8]> {
    headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|cookie_header| cookie_pairs(cookie_header.as_bytes()))
        .find_map(|(cookie_name, value)| (cookie_name == name).then_some(value))
}

/// `(name, value)` of each well-formed pair in one `Cookie` header, trimmed, value unquoted.
fn cookie_pairs(cookie_header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    cookie_pieces(cookie_header).filter_map(split_cookie_piece)
}

/// The trimmed, non-empty `;`-separated pieces of one `Cookie` header.
fn cookie_pieces(cookie_header: &[u8]) -> impl Iterator<Item = &[u8]> {
    cookie_header
        .split(|&byte| byte == b';')
        .map(<[u8]>::trim_ascii)
        .filter(|piece| !piece.is_empty())
}

/// `name=value` into trimmed name and value, the value without surrounding double quotes;
/// `None` without `=`.
fn split_cookie_piece(piece: &[u8]) -> Option<(&[u8], &[u8])> {
    let equals_idx = piece.iter().position(|&byte| byte == b'=')?;
    let name = piece[..equals_idx].trim_ascii();
    let value = piece[equals_idx + 1..].trim_ascii();
    let value = match value {
        [b'"', inside @ .., b'"'] => inside,
        _ => value,
    };
    Some((name, value))
}

/// The still-encoded value of the first query parameter whose decoded name is `name`.
fn find_query_param<'query>(query: &'query str, name: &[u8]) -> Option<&'query [u8]> {
    query
        .as_bytes()
        .split(|&byte| byte == b'&')
        .find_map(|parameter| {
            let (encoded_name, encoded_value) =
                match parameter.iter().position(|&byte| byte == b'=') {
                    Some(equals_idx) => (&parameter[..equals_idx], &parameter[equals_idx + 1..]),
                    None => (parameter, &[][..]),
                };
            form_decode(encoded_name)
                .eq(name.iter().copied())
                .then_some(encoded_value)
        })
}

fn form_decode(encoded: &[u8]) -> FormDecode<'_> {
    FormDecode { rest: encoded }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}
