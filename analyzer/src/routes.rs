//! HTTP route extraction: which method and path reach which handler, for axum, actix-web and
//! rocket applications, plus the operations that `#[utoipa::path]` annotations declare.
//!
//! Two phases, because name resolution needs every file. [`collect`] walks one parsed file and
//! records *facts*: router fragments (a router expression, a fn's returned router, an actix
//! `ServiceConfig`, the attribute routes of one fn), what each fragment registers (routes) and
//! what it mounts (other fragments, named by a local binding or by a path to resolve later),
//! string constants usable as paths, and OpenAPI annotations. [`assemble`] then matches mounted
//! paths to the fragments of the fns they name, expands every root fragment into full paths,
//! resolves handlers and returns sorted, deduplicated [`model::Route`]s with diagnostics.
//!
//! How a mounted fn call finds its fragment: every fragment a fn returns (or fills through a
//! `&mut ServiceConfig` parameter, or declares through route attributes) is owned by an
//! [`ItemKey`] of its file: the inline modules around the fn and the line of its name (a
//! [`Site`]), its name, the `impl` self type for methods, and its first line (first attribute or
//! doc comment). `assemble` asks [`Resolve::resolve`] what a written path means; the
//! [`ResolvedItem`] matches the keys of `ResolvedItem::file` with the same name whose inline
//! modules (or self type) and name end `ResolvedItem::path`, preferring the one whose header
//! lines hold `ResolvedItem::line`. `assemble/matching.rs` has the details and the one fallback
//! (a plain identifier `resolve` does not know). Handlers, string constants used as paths and
//! `routes![..]` entries go through the same `resolve` call; `Resolve::module_at` gives the
//! module of closures and of handlers that do not resolve.
//!
//! Deliberately not done: no macro expansion (routers built inside `macro_rules!` bodies or
//! other macro calls are not seen, except `routes![..]`), no type inference (a router is
//! recognised by its constructor, a local binding, a router-returning fn or a literal path passed
//! to `.route`/`.nest`/`.mount`), no control flow (both arms of an `if` count; shadowing is by
//! statement order), no tests (`#[cfg(test)]` items and `#[test]` fns are skipped), and no
//! guards, hosts or middleware semantics.
//!
//! [`ResolvedItem`]: crate::site::ResolvedItem
//! [`Resolve::resolve`]: crate::site::Resolve::resolve

mod actix;
mod assemble;
mod attribute;
mod axum;
mod chain;
mod collect;
mod pattern;
mod placeholder;
mod rocket;
mod utoipa;
mod value;

#[cfg(test)]
mod tests;

use crate::model;
use crate::site::{Resolve, Site};

/// Per-file route facts. Owns no syn types (the syntax tree is dropped after collection), Send +
/// Sync, Debug, Default.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileRoutes {
    /// Router fragments in the order they were found. Indices are used by [`Target::Local`]
    /// and [`Owner::fragments`].
    fragments: Vec<Fragment>,
    /// Items of this file that own fragments: router fns, configure fns, attribute-routed fns.
    owners: Vec<Owner>,
    /// String constants, which route paths may name.
    consts: Vec<StrConst>,
    /// Constants of other types and fns that build a struct value, whose string fields route
    /// paths may name (`crate::ROUTES.auth.login`).
    values: Vec<ValueItem>,
    /// Operations declared by `#[utoipa::path(..)]`.
    openapi: Vec<OpenApiRoute>,
    /// Problems noticed while collecting, reported by `assemble`.
    notes: Vec<Note>,
    /// Which frameworks this file visibly uses, to label attribute routes nobody mounts.
    hints: Hints,
}

/// Runs on one parsed file (on a worker thread, in parallel with other files). Must be fast:
/// one pass over the tree.
/// Whether a file's text can declare routes at all: every construct `collect` reads names
/// one of these words (`.route(`, `Router`, `.nest(`, `.merge(`, actix `scope`, `resource`,
/// `service`, `configure`, rocket `mount` and `routes!`, route attributes, utoipa, or a
/// framework path such as `actix_web::get`). A substring scan of the text is far cheaper
/// than walking the tree, and most files of a monolith declare no route.
pub(crate) fn may_declare_routes(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "route",
        "Router",
        "nest(",
        "merge(",
        "mount(",
        "scope(",
        "resource(",
        "service(",
        "configure(",
        "App::new",
        "utoipa",
        "actix",
        "rocket",
        "axum",
        "#[get",
        "#[post",
        "#[put",
        "#[delete",
        "#[patch",
        "#[head",
        "#[options",
        "#[trace",
        "#[connect",
    ];
    WORDS.iter().any(|word| text.contains(word))
}

pub(crate) fn collect(file: &syn::File) -> FileRoutes {
    collect::collect(file)
}

/// Runs once all files are collected. `files` are (path relative to the analysed folder,
/// facts).
pub(crate) fn assemble(files: &[(&str, &FileRoutes)], resolve: &dyn Resolve) -> Assembled {
    assemble::assemble(files, resolve)
}

/// What assembly gives: sorted routes, how completely their handlers are known, diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assembled {
    pub(crate) routes: Vec<model::Route>,
    pub(crate) coverage: model::RouteCoverage,
    pub(crate) diagnostics: Vec<model::Diagnostic>,
}

/// The frameworks a route can come from, named as in `model::Route::framework`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Framework {
    Axum,
    ActixWeb,
    Rocket,
    Utoipa,
}

impl Framework {
    fn as_str(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::ActixWeb => "actix-web",
            Framework::Rocket => "rocket",
            Framework::Utoipa => "utoipa",
        }
    }
}

/// An item of a file that other code names by path: a fn, a method or a const.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ItemKey {
    name: String,
    /// For items inside an `impl` or `trait` block: the self type as written, without generics
    /// (`["Api"]`, `["handlers", "Api"]`). Empty for free items.
    self_ty: Vec<String>,
    /// Inline modules around the item and the line of its name.
    site: Site,
    /// First line of the item: its first attribute or doc comment, else its first keyword.
    first_line: u32,
}

/// An item and the fragments it owns: the router(s) a fn returns, the `ServiceConfig` it
/// fills, or the routes its attributes declare.
#[derive(Debug, Clone)]
struct Owner {
    key: ItemKey,
    fragments: Vec<usize>,
    /// Owns the operations of the item's `#[utoipa::path]` attributes, which only a
    /// utoipa-axum `routes!(..)` mount serves.
    openapi: bool,
}

/// `const NAME: &str = "..";`
#[derive(Debug, Clone)]
struct StrConst {
    key: ItemKey,
    value: String,
}

/// A router value: what it registers and mounts, in source order.
#[derive(Debug, Clone)]
struct Fragment {
    /// Where the router expression (or the owning fn) starts.
    site: Site,
    /// The path of an actix `web::scope(..)`/`web::resource(..)`: applies to every entry.
    own_prefix: Option<PathSpec>,
    /// Whether it is an actix resource (`.get(h)`, `.to(h)` then register routes).
    is_resource: bool,
    /// Operations declared by `#[utoipa::path]`: served where a `routes!(..)` mount names
    /// the fn, never a root of its own.
    openapi: bool,
    /// The routes of a fn's route attributes (`#[get("/x")]`): served where a router mounts
    /// the fn (`.service(f)`, `routes![f]`).
    attribute: bool,
    /// A local router that a conditional branch rebinds to a new router around it
    /// (`if cond { app = Router::new().nest(prefix, app); }`): the branch may not run, so it is
    /// also served as it is, a root of its own.
    kept: bool,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Route(RouteFact),
    Mount(MountFact),
}

/// One method of one path going to one handler, relative to its fragment.
#[derive(Debug, Clone)]
struct RouteFact {
    /// Upper-case method or `ANY`.
    method: String,
    path: PathSpec,
    handler: Handler,
    /// `None` for `#[get("/x")]` and friends: actix-web and rocket share the attribute names,
    /// so how the fn is mounted decides (see `assemble`).
    framework: Option<Framework>,
    /// Where it is registered: the `.route(..)`/`.to(..)` call or the attribute.
    site: Site,
}

/// Another router placed under `prefix`: `.nest`, `.merge`, `.service`, `.configure`,
/// `.mount`, a rebinding (`let r = r.route(..)`), an entry of `routes![..]`.
#[derive(Debug, Clone)]
struct MountFact {
    prefix: PathSpec,
    target: Target,
    /// Where the mount is written.
    site: Site,
    /// The framework the mount implies for attribute routes below it (`.service(h)` is
    /// actix-web, `.mount(..)` and `routes![..]` are rocket); `None` inherits.
    context: Option<Framework>,
    /// `.nest_service(prefix, svc)`: when the target is not a router of the analysed code, it
    /// is a service answering every method under the prefix.
    service: bool,
    /// utoipa-axum's `.routes(routes!(a, b))`: mounts the operations that `a` and `b` declare
    /// with `#[utoipa::path]`, not their route attributes.
    openapi: bool,
}

#[derive(Debug, Clone)]
enum Target {
    /// A fragment of the same file.
    Local(usize),
    /// A fn (called or named) to resolve: its fragments are mounted.
    Item { path: Vec<String>, site: Site },
}

/// A constant of a type other than `&str`, or a fn whose tail is a struct literal: the value
/// it builds, as far as `value.rs` reads it.
#[derive(Debug, Clone)]
struct ValueItem {
    key: ItemKey,
    value: value::Value,
}

/// A route path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSpec {
    Literal(String),
    /// A constant named by path, resolved at assembly.
    Const {
        path: Vec<String>,
        site: Site,
    },
    /// A string field of a constant struct value (`crate::ROUTES.auth.login`), resolved at
    /// assembly by following the constant's initialiser through the fns it calls.
    Field {
        path: Vec<String>,
        fields: Vec<String>,
        site: Site,
    },
    /// A string built at run time (`format!`, `concat!`, `[..].concat()`, `+`, a conversion):
    /// its parts in order, each a literal, a constant, a field or an [`PathSpec::Unknown`].
    Parts(Vec<PathSpec>),
    /// A part only running the code gives (a variable, a call): marked `{name}` in the path,
    /// with a diagnostic naming `written`, the expression as written (shortened).
    Unknown {
        name: String,
        written: String,
    },
    /// Not a path at all (a number): the route or mount is skipped with a warning.
    Invalid,
}

/// A handler as written at a registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Handler {
    /// A path (`list`, `handlers::list`, `Self::list`, or the callee of `ServeDir::new(..)`),
    /// resolved at assembly; `site` is where it is written.
    Path { segments: Vec<String>, site: Site },
    /// An inline closure; `site` is the registration.
    Closure { site: Site },
    /// Something else, kept as written (`name!`, `<expr>`); `site` is the registration.
    Opaque { text: String, site: Site },
}

/// An operation declared by `#[utoipa::path(get, path = "/x")]` on a fn.
#[derive(Debug, Clone)]
struct OpenApiRoute {
    methods: Vec<String>,
    /// As written, with `context_path` joined in front.
    path: String,
    handler: Handler,
    /// The attribute.
    site: Site,
}

#[derive(Debug, Clone)]
struct Note {
    severity: model::Severity,
    site: Site,
    message: String,
}

#[derive(Debug, Clone, Copy, Default)]
struct Hints {
    /// The file names the `rocket` crate (a `use`, a path, `extern crate`).
    rocket: bool,
    /// The file names the `actix_web` crate.
    actix: bool,
}

/// HTTP methods with a routing function or attribute of their own, lower-case as written.
const METHODS: [&str; 9] = [
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect",
];

fn method_name(lower: &str) -> Option<String> {
    METHODS.contains(&lower).then(|| lower.to_ascii_uppercase())
}
