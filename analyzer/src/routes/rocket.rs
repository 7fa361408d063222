//! rocket specifics: `rocket::build()` / `rocket::custom(..)` as router bases and the handler
//! paths listed in `routes![a, b, module::c]`.
//!
//! Route attributes live in `attribute.rs`; `.mount(prefix, ..)` is read by `collect.rs`. Not
//! handled: `Route::new(..)` values built by hand, catchers (`catchers![..]`, not routes),
//! and `FileServer` mounts (reported as an unfollowed mount).

use syn::punctuated::Punctuated;
use syn::{Macro, Path, Token};

use super::chain::ends_with;

/// Whether a call to `segments` makes a rocket instance: `rocket::build()`,
/// `rocket::custom(..)`, `Rocket::build()`, and 0.4's `rocket::ignite()`.
pub(super) fn is_build(segments: &[String]) -> bool {
    ["build", "custom", "ignite"].iter().any(|name| {
        ends_with(segments, &["rocket", name]) || ends_with(segments, &["Rocket", name])
    })
}

/// Whether `mac` is `routes![..]` (or `rocket::routes![..]`).
pub(super) fn is_routes_macro(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "routes")
}

/// The handler paths listed in `routes![..]`; empty if the body does not parse as paths.
pub(super) fn routes_macro_paths(mac: &Macro) -> Vec<Path> {
    mac.parse_body_with(Punctuated::<Path, Token![,]>::parse_terminated)
        .map(|paths| paths.into_iter().collect())
        .unwrap_or_default()
}
