//! Reading one router expression into a fragment: a builder chain whose base is a router
//! constructor (`Router::new()`, `App::new()`, `web::scope(..)`, `web::resource(..)`,
//! `rocket::build()`, `routes![..]`), a local router binding, a call typed as a router, or any
//! base followed by `.route(path, ..)`, `.nest(path, ..)`, `.nest_service`, `.route_service`
//! or `.mount(path, ..)` with a literal or constant path. Its method calls become route and
//! mount entries; mount arguments become targets (a fragment of this file, or a path to
//! resolve later); handlers and paths are recorded as written.
//!
//! Arguments are read here and the visitor does not descend into them again, so closures
//! passed as handlers are not entered. Deliberately not done: evaluating anything (a path
//! must be a string literal or a named constant), following a call whose result is not used
//! as a router (`let app = api().merge(other());` with no `Router` annotation: the fns it calls
//! then show up as roots with their own, unprefixed paths), and telling apart methods that
//! share a name across frameworks by type (`.route(path, value)` is axum or actix-web by the
//! shape of `value`).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ExprCall, ExprClosure, ExprMethodCall, Lit, Macro, Path};

use super::super::chain::{Chain, peel, segments};
use super::super::{
    Entry, Framework, Handler, MountFact, PathSpec, RouteFact, Target, actix, axum, method_name,
    placeholder, rocket,
};
use super::{Binding, Collector, expr_ident, pat_ident};
use crate::model::Severity;
use crate::site::Site;

/// What a builder chain starts from.
enum Base<'a> {
    /// `Router::new()`, `App::new()`, `rocket::build()`.
    Router,
    /// `web::scope(path)`.
    Scope(&'a Expr),
    /// `web::resource(path)`.
    Resource(&'a Expr),
    /// `routes![..]`.
    Routes(&'a Macro),
    Binding(Binding),
    /// A call to some fn, which may return a router.
    Call(&'a Path),
    /// A path that is not a local binding.
    Path(&'a Path),
    Other,
}

impl Collector {
    /// If `expr` is a router, records it (building a fragment unless it only names one) and
    /// returns it. `call_is_router`: a plain call counts (its result is typed as a router).
    pub(super) fn router_value(&mut self, expr: &Expr, call_is_router: bool) -> Option<Binding> {
        if let Some(array) = route_list_concat(peel(expr)) {
            // `[routes![a], other()].concat()`: rocket route lists joined into one.
            let site = self.site(line_span(expr));
            let fragment = self.new_fragment(site.clone());
            for target in self.targets(array) {
                let empty = PathSpec::Literal(String::new());
                self.mount(fragment, empty, target, site.clone(), None, false);
            }
            return Some(Binding::Router(fragment));
        }
        let chain = Chain::of(peel(expr));
        let base = self.base(&chain);
        let has_ops = chain.calls.iter().any(|call| is_router_op(call));
        let has_path_ops = chain.calls.iter().any(|call| is_path_op(call));
        let site = self.site(line_span(chain.base));
        match base {
            Base::Router | Base::Scope(_) | Base::Resource(_) | Base::Routes(_) => {
                Some(Binding::Router(self.build(base, &chain.calls, site, None)))
            }
            Base::Binding(Binding::Call(call)) => {
                // A bound call used as a router (a path is routed or nested on it): a new
                // router that mounts the callee. Other methods say nothing of its type.
                if has_path_ops {
                    Some(Binding::Router(self.deferred_fragment(call, &chain.calls)))
                } else if has_ops {
                    None
                } else {
                    Some(Binding::Call(call))
                }
            }
            Base::Binding(binding @ (Binding::Router(fragment) | Binding::Config(fragment))) => {
                // `let r = r.route(..)`, `cfg.service(..)`: the bound router grows in place, so
                // an actix scope keeps its own prefix for what is added later.
                if has_ops {
                    self.build(Base::Other, &chain.calls, site, Some(fragment));
                }
                Some(binding)
            }
            Base::Call(_) if has_path_ops || call_is_router => {
                Some(Binding::Router(self.build(base, &chain.calls, site, None)))
            }
            Base::Path(_) | Base::Other if has_path_ops => Some(Binding::Router(self.build(
                Base::Other,
                &chain.calls,
                site,
                None,
            ))),
            Base::Call(_) | Base::Path(_) | Base::Other => None,
        }
    }

    /// What a mount argument (`.nest(_, here)`, `.service(here)`, `.mount(_, here)`) names.
    fn targets(&mut self, expr: &Expr) -> Vec<Target> {
        let expr = peel(expr);
        match expr {
            Expr::Tuple(tuple) => {
                return tuple.elems.iter().flat_map(|e| self.targets(e)).collect();
            }
            Expr::Array(array) => {
                return array.elems.iter().flat_map(|e| self.targets(e)).collect();
            }
            Expr::Closure(closure) => return vec![Target::Local(self.config_closure(closure))],
            _ => {}
        }
        let chain = Chain::of(expr);
        let base = self.base(&chain);
        let has_path_ops = chain.calls.iter().any(|call| is_path_op(call));
        match base {
            Base::Call(path) if !has_path_ops => {
                let site = self.path_site(path);
                vec![Target::Item {
                    path: segments(path),
                    site,
                }]
            }
            Base::Path(path) if path.is_ident("self") => match chain.calls.first() {
                Some(call) => {
                    let site = self.site(call.method.span());
                    vec![Target::Item {
                        path: vec!["Self".to_string(), call.method.to_string()],
                        site,
                    }]
                }
                None => Vec::new(),
            },
            Base::Path(path) if chain.calls.is_empty() => {
                let site = self.path_site(path);
                vec![Target::Item {
                    path: segments(path),
                    site,
                }]
            }
            _ => match self.router_value(expr, false) {
                Some(Binding::Router(fragment) | Binding::Config(fragment)) => {
                    vec![Target::Local(fragment)]
                }
                Some(Binding::Call(call)) => match self.deferred.get(call) {
                    Some((path, site)) => vec![Target::Item {
                        path: path.clone(),
                        site: site.clone(),
                    }],
                    None => Vec::new(),
                },
                None => Vec::new(),
            },
        }
    }

    /// A call whose result a `let` binds: recorded when its callee is a path and no
    /// router-building method follows (those make it a router at once), whatever
    /// pass-through methods do (`.with_state(..)`, `.layer(..)`, `.into()`).
    pub(super) fn deferred_call(&mut self, expr: &Expr) -> Option<usize> {
        let chain = Chain::of(peel(expr));
        if chain.calls.iter().any(|call| is_router_op(call)) {
            return None;
        }
        let Expr::Call(call) = chain.base else {
            return None;
        };
        let Expr::Path(callee) = peel(&call.func) else {
            return None;
        };
        if callee.qself.is_some() {
            return None;
        }
        let site = self.path_site(&callee.path);
        self.deferred.push((segments(&callee.path), site));
        Some(self.deferred.len() - 1)
    }

    /// A new fragment that mounts a bound call's callee, then applies `calls`.
    pub(super) fn deferred_fragment(&mut self, call: usize, calls: &[&ExprMethodCall]) -> usize {
        let (path, site) = self.deferred.get(call).cloned().unwrap_or_default();
        let fragment = self.new_fragment(site.clone());
        self.mount(
            fragment,
            PathSpec::Literal(String::new()),
            Target::Item {
                path,
                site: site.clone(),
            },
            site,
            None,
            false,
        );
        for call in calls {
            self.apply(fragment, call);
        }
        fragment
    }

    /// `.configure(|cfg| { cfg.service(..); })`: a fragment filled by the closure's body.
    fn config_closure(&mut self, closure: &ExprClosure) -> usize {
        let site = self.site(closure.inputs_begin.spans[0]);
        let fragment = self.new_fragment(site);
        let param = closure.inputs.first().and_then(pat_ident);
        let previous = param
            .as_ref()
            .and_then(|name| self.bind(name.clone(), Binding::Config(fragment)));
        self.closure_depth += 1;
        self.visit_expr(&closure.body);
        self.closure_depth -= 1;
        if let Some(name) = param {
            match previous {
                Some(binding) => {
                    self.bind(name, binding);
                }
                None => self.unbind(&name),
            }
        }
        fragment
    }

    fn base<'a>(&self, chain: &Chain<'a>) -> Base<'a> {
        match chain.base {
            Expr::Call(_) => {
                let Some((callee, args)) = chain.base_call() else {
                    return Base::Other;
                };
                let names = segments(callee);
                let constructor = (args.is_empty()
                    && (axum::is_router_new(&names) || actix::is_app_new(&names)))
                    || axum::is_router_with(&names)
                    || rocket::is_build(&names);
                if constructor {
                    Base::Router
                } else if let (true, [path]) = (actix::is_scope(&names), args.as_slice()) {
                    Base::Scope(path)
                } else if let (true, [path]) = (actix::is_resource(&names), args.as_slice()) {
                    Base::Resource(path)
                } else {
                    Base::Call(callee)
                }
            }
            Expr::Macro(mac) if rocket::is_routes_macro(&mac.mac) => Base::Routes(&mac.mac),
            Expr::Path(path) if path.qself.is_none() => {
                if let Some(ident) = path.path.get_ident()
                    && let Some(binding) = self.binding(&ident.to_string())
                {
                    Base::Binding(binding)
                } else {
                    Base::Path(&path.path)
                }
            }
            _ => Base::Other,
        }
    }

    /// Makes (or, with `existing`, extends) a fragment from a chain's base and calls.
    fn build(
        &mut self,
        base: Base,
        calls: &[&ExprMethodCall],
        site: Site,
        existing: Option<usize>,
    ) -> usize {
        let fragment = match existing {
            Some(fragment) => fragment,
            None => self.new_fragment(site.clone()),
        };
        match base {
            Base::Scope(path) => {
                let prefix = self.path_spec(path);
                if let Some(fragment) = self.out.fragments.get_mut(fragment) {
                    fragment.own_prefix = Some(prefix);
                }
            }
            Base::Resource(path) => {
                let prefix = self.path_spec(path);
                if let Some(fragment) = self.out.fragments.get_mut(fragment) {
                    fragment.own_prefix = Some(prefix);
                    fragment.is_resource = true;
                }
            }
            Base::Routes(mac) => {
                for path in rocket::routes_macro_paths(mac) {
                    let site = self.path_site(&path);
                    let target = Target::Item {
                        path: segments(&path),
                        site: site.clone(),
                    };
                    self.mount(
                        fragment,
                        PathSpec::Literal(String::new()),
                        target,
                        site,
                        Some(Framework::Rocket),
                        false,
                    );
                }
            }
            Base::Call(path) => {
                let target = Target::Item {
                    path: segments(path),
                    site: self.path_site(path),
                };
                self.mount(
                    fragment,
                    PathSpec::Literal(String::new()),
                    target,
                    site,
                    None,
                    false,
                );
            }
            Base::Router | Base::Binding(_) | Base::Path(_) | Base::Other => {}
        }
        for call in calls {
            self.apply(fragment, call);
        }
        fragment
    }

    /// One method call of a router chain.
    fn apply(&mut self, fragment: usize, call: &ExprMethodCall) {
        let name = call.method.to_string();
        let args: Vec<&Expr> = call.args.iter().collect();
        let site = self.site(call.method.span());
        let empty = || PathSpec::Literal(String::new());
        match (name.as_str(), args.as_slice()) {
            ("route" | "api_route", [path, value])
            | ("route_with" | "api_route_with", [path, value, _]) => {
                let path = self.path_spec(path);
                self.route_value(fragment, path, value, site);
            }
            ("route", [value]) => self.route_value(fragment, empty(), value, site),
            ("to", [handler]) => {
                self.add_route(fragment, "ANY", empty(), handler, Framework::ActixWeb, site)
            }
            ("route_service", [path, service]) => {
                let path = self.path_spec(path);
                self.add_route(fragment, "ANY", path, service, Framework::Axum, site);
            }
            ("nest", [prefix, router]) => {
                self.mount_arg(fragment, Some(prefix), router, site, None, false)
            }
            ("nest_service" | "nest_api_service", [prefix, service]) => {
                self.mount_arg(fragment, Some(prefix), service, site, None, true);
            }
            ("merge", [router]) => self.mount_arg(fragment, None, router, site, None, false),
            // A rocket route list grown in place: `v.extend(more())`, `v.append(&mut more())`.
            ("extend" | "append", [routes]) => {
                self.mount_arg(fragment, None, routes, site, None, false);
            }
            ("service", [service]) => {
                self.mount_arg(
                    fragment,
                    None,
                    service,
                    site,
                    Some(Framework::ActixWeb),
                    false,
                );
            }
            ("configure", [config]) => self.mount_arg(fragment, None, config, site, None, false),
            ("routes", [routes]) => match peel(routes) {
                Expr::Macro(mac) if rocket::is_routes_macro(&mac.mac) => {
                    self.mount_openapi(fragment, &mac.mac);
                }
                _ => {}
            },
            ("mount", [prefix, routes]) => {
                self.mount_arg(
                    fragment,
                    Some(prefix),
                    routes,
                    site,
                    Some(Framework::Rocket),
                    false,
                );
            }
            (method, [handler]) if self.is_resource(fragment) => {
                if let Some(method) = method_name(method) {
                    self.add_route(
                        fragment,
                        &method,
                        empty(),
                        handler,
                        Framework::ActixWeb,
                        site,
                    );
                }
            }
            _ => {}
        }
    }

    /// `.route(path, value)` (axum method router or actix route) or a resource's `.route(value)`.
    fn route_value(&mut self, fragment: usize, path: PathSpec, value: &Expr, site: Site) {
        if let Some(methods) = axum::method_router(value) {
            for (method, handler) in methods {
                self.add_route(
                    fragment,
                    &method,
                    path.clone(),
                    handler,
                    Framework::Axum,
                    site.clone(),
                );
            }
        } else if let Some((methods, handler)) = actix::route(value) {
            for method in methods {
                self.add_route(
                    fragment,
                    &method,
                    path.clone(),
                    handler,
                    Framework::ActixWeb,
                    site.clone(),
                );
            }
        } else {
            self.note(
                Severity::Info,
                site,
                "cannot read the method router of this route; it is skipped",
            );
        }
    }

    fn add_route(
        &mut self,
        fragment: usize,
        method: &str,
        path: PathSpec,
        handler: &Expr,
        framework: Framework,
        site: Site,
    ) {
        let handler = self.handler(handler, &site);
        self.push(
            fragment,
            Entry::Route(RouteFact {
                method: method.to_string(),
                path,
                handler,
                framework: Some(framework),
                site,
            }),
        );
    }

    /// Mounts what `arg` names under `prefix` (`None`: no prefix).
    fn mount_arg(
        &mut self,
        fragment: usize,
        prefix: Option<&Expr>,
        arg: &Expr,
        site: Site,
        context: Option<Framework>,
        service: bool,
    ) {
        let prefix = match prefix {
            Some(prefix) => self.path_spec(prefix),
            None => PathSpec::Literal(String::new()),
        };
        let targets = self.targets(arg);
        if targets.is_empty() {
            if service {
                let handler = self.handler(arg, &site);
                for path in [String::new(), "/{*rest}".to_string()] {
                    let path = match &prefix {
                        PathSpec::Literal(prefix) => PathSpec::Literal(format!("{prefix}{path}")),
                        PathSpec::Invalid => PathSpec::Invalid,
                        other => {
                            PathSpec::Parts(vec![other.clone(), PathSpec::Literal(path.clone())])
                        }
                    };
                    self.push(
                        fragment,
                        Entry::Route(RouteFact {
                            method: "ANY".to_string(),
                            path,
                            handler: handler.clone(),
                            framework: Some(Framework::Axum),
                            site: site.clone(),
                        }),
                    );
                }
            } else {
                self.note(
                    Severity::Info,
                    site,
                    "cannot tell which router is mounted here; its routes are missing",
                );
            }
            return;
        }
        for target in targets {
            self.mount(
                fragment,
                prefix.clone(),
                target,
                site.clone(),
                context,
                service,
            );
        }
    }

    fn mount(
        &mut self,
        fragment: usize,
        prefix: PathSpec,
        target: Target,
        site: Site,
        context: Option<Framework>,
        service: bool,
    ) {
        self.push(
            fragment,
            Entry::Mount(MountFact {
                prefix,
                target,
                site,
                context,
                service,
                openapi: false,
            }),
        );
    }

    /// utoipa-axum's `.routes(routes!(a, b))`: mounts the OpenAPI operations of each fn.
    fn mount_openapi(&mut self, fragment: usize, mac: &Macro) {
        for path in rocket::routes_macro_paths(mac) {
            let site = self.path_site(&path);
            self.push(
                fragment,
                Entry::Mount(MountFact {
                    prefix: PathSpec::Literal(String::new()),
                    target: Target::Item {
                        path: segments(&path),
                        site: site.clone(),
                    },
                    site,
                    context: Some(Framework::Axum),
                    service: false,
                    openapi: true,
                }),
            );
        }
    }

    /// A call that passes a `ServiceConfig` on (`users::config(cfg)`) mounts the callee.
    fn config_call(&mut self, call: &ExprCall) {
        let Expr::Path(callee) = peel(&call.func) else {
            return;
        };
        if callee.qself.is_some() {
            return;
        }
        for arg in &call.args {
            if let Some(name) = expr_ident(peel(arg))
                && let Some(Binding::Config(fragment)) = self.binding(&name)
            {
                let site = self.path_site(&callee.path);
                let target = Target::Item {
                    path: segments(&callee.path),
                    site: site.clone(),
                };
                self.mount(
                    fragment,
                    PathSpec::Literal(String::new()),
                    target,
                    site,
                    None,
                    false,
                );
            }
        }
    }

    /// Visits what a non-router chain holds, without re-reading its inner chains.
    pub(super) fn walk_chain(&mut self, expr: &Expr) {
        let chain = Chain::of(expr);
        for call in &chain.calls {
            for arg in &call.args {
                self.visit_expr(arg);
            }
        }
        match chain.base {
            Expr::Call(call) => {
                self.config_call(call);
                visit::visit_expr_call(self, call);
            }
            Expr::Macro(mac) => visit::visit_expr_macro(self, mac),
            base => self.visit_expr(base),
        }
    }

    fn handler(&self, expr: &Expr, registration: &Site) -> Handler {
        let expr = peel(expr);
        if let Expr::Macro(mac) = expr {
            let text = format!("{}!", segments(&mac.mac.path).join("::"));
            return Handler::Opaque {
                text,
                site: registration.clone(),
            };
        }
        // `handler.layer(..)`, `ServeDir::new(..).fallback(..)`: the chain's base names it.
        match Chain::of(expr).base {
            Expr::Closure(_) | Expr::Async(_) => Handler::Closure {
                site: registration.clone(),
            },
            Expr::Path(path) if path.qself.is_none() => Handler::Path {
                segments: segments(&path.path),
                site: self.path_site(&path.path),
            },
            Expr::Call(call) => match peel(&call.func) {
                Expr::Path(path) if path.qself.is_none() => Handler::Path {
                    segments: segments(&path.path),
                    site: self.path_site(&path.path),
                },
                _ => Handler::Opaque {
                    text: "<expr>".to_string(),
                    site: registration.clone(),
                },
            },
            _ => Handler::Opaque {
                text: "<expr>".to_string(),
                site: registration.clone(),
            },
        }
    }

    fn path_spec(&self, expr: &Expr) -> PathSpec {
        placeholder::path_spec(expr, &|span| self.site(span))
    }
}

/// Router-building methods, whatever the receiver.
fn is_router_op(call: &ExprMethodCall) -> bool {
    let name = call.method.to_string();
    takes_path_first(&name, call.args.len())
        || (matches!(
            name.as_str(),
            "route" | "to" | "merge" | "service" | "configure" | "routes" | "extend" | "append"
        ) && call.args.len() == 1)
}

/// `[routes![a], routes![b]].concat()`: the array, when one of its elements is `routes![..]`.
fn route_list_concat(expr: &Expr) -> Option<&Expr> {
    let Expr::MethodCall(call) = expr else {
        return None;
    };
    if call.method != "concat" || !call.args.is_empty() {
        return None;
    }
    let Expr::Array(array) = peel(&call.receiver) else {
        return None;
    };
    array
        .elems
        .iter()
        .any(|elem| matches!(peel(elem), Expr::Macro(mac) if rocket::is_routes_macro(&mac.mac)))
        .then_some(&*call.receiver)
}

/// Router methods whose first argument is a path: `.route(path, ..)`, `.nest(prefix, ..)`.
fn takes_path_first(name: &str, n_args: usize) -> bool {
    matches!(
        (name, n_args),
        (
            "route"
                | "api_route"
                | "nest"
                | "nest_service"
                | "nest_api_service"
                | "route_service"
                | "mount",
            2
        ) | ("route_with" | "api_route_with", 3)
    )
}

/// Router methods taking a literal path or a constant first: these make any receiver a router.
fn is_path_op(call: &ExprMethodCall) -> bool {
    if !takes_path_first(&call.method.to_string(), call.args.len()) {
        return false;
    }
    match call.args.first().map(peel) {
        Some(Expr::Lit(lit)) => matches!(lit.lit, Lit::Str(_)),
        Some(Expr::Path(path)) => path.path.segments.last().is_some_and(|segment| {
            let name = segment.ident.to_string();
            name.chars().any(|ch| ch.is_ascii_uppercase())
                && !name.chars().any(|ch| ch.is_ascii_lowercase())
        }),
        _ => false,
    }
}

/// A span for the line where an expression starts, cheap for the common kinds.
fn line_span(expr: &Expr) -> Span {
    match expr {
        Expr::Call(call) => line_span(&call.func),
        Expr::Path(path) => path
            .path
            .segments
            .first()
            .map_or_else(|| expr.span(), |s| s.ident.span()),
        Expr::Macro(mac) => mac
            .mac
            .path
            .segments
            .first()
            .map_or_else(|| expr.span(), |s| s.ident.span()),
        Expr::MethodCall(call) => call.method.span(),
        _ => expr.span(),
    }
}
