//! Turns a parsed [`FileConfig`] into [`Settings`], or the problems found: one
//! [`ConfigError::Invalid`] naming the field path (`route[2].targets[0].upstream`), or
//! [`ConfigError::Problems`] when there are several (the first of each upstream, route and
//! top-level field), with indexes counted from 0 in file order. It checks names, addresses,
//! patterns, methods, weights and shadow settings (targets, caps, the comparison rules' field
//! paths; a plan's derived shadow routes are reported as `plan_routes.shadow`, once); it does
//! not resolve host names, connect anywhere, or reject overlapping routes (the route table's
//! precedence decides between them).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use super::ConfigError;
use super::file::{
    FileAdmin, FileCompare, FileConfig, FileLimits, FileProtocol, FileRoute, FileShadow,
    FileSticky, FileUpstream,
};
use super::settings::{
    Address, Admin, CompareRules, HeaderOptions, HealthCheck, Limits, ListenerTls, Protocol, Route,
    Settings, Shadow, Sticky, Target, TokenSource, Upstream, UpstreamTls,
};
use crate::headers::{ForwardingFields, TrustedHops};
use crate::pattern::{PathPattern, Segment};
use crate::route_table::DEFAULT_ROUTE_NAME;
use crate::shadow::path::FieldPath;

/// Validates `file_config`, read from `file` (used only in error messages). Every upstream
/// and route is checked, so one run reports the first problem of each of them (and of each
/// top-level field), not only the first problem of the file.
pub fn validate(mut file_config: FileConfig, file: &Path) -> Result<Settings, ConfigError> {
    let mut problems: Vec<FieldProblem> = Vec::new();
    // Relative paths in the file are relative to the file's folder.
    let base = file.parent().unwrap_or(Path::new("."));
    let listen: Option<SocketAddr> = match file_config.listen.parse() {
        Ok(listen) => Some(listen),
        Err(_) => {
            problems.push((
                "listen".to_owned(),
                format!("invalid address {:?}, expected ip:port", file_config.listen),
            ));
            None
        }
    };

    // Names of every upstream entry, valid or not, so that a route naming an upstream with a
    // bad address is not reported a second time as naming an unknown one.
    let upstream_names: HashSet<String> = file_config
        .upstreams
        .iter()
        .map(|upstream| upstream.name.clone())
        .collect();
    let mut upstreams = Vec::with_capacity(file_config.upstreams.len());
    let mut seen_upstreams = HashSet::new();
    for (upstream_idx, file_upstream) in file_config.upstreams.into_iter().enumerate() {
        match validate_upstream(file_upstream, &format!("upstream[{upstream_idx}]"), base) {
            Ok(upstream) if !seen_upstreams.insert(upstream.name.clone()) => problems.push((
                format!("upstream[{upstream_idx}].name"),
                format!("duplicate upstream name {:?}", upstream.name),
            )),
            Ok(upstream) => upstreams.push(upstream),
            Err(problem) => problems.push(problem),
        }
    }
    let default_upstream = file_config.default_upstream.unwrap_or_default();
    if default_upstream.is_empty() {
        problems.push((
            "default_upstream".to_owned(),
            "is required: the upstream (the monolith) that takes every request no route takes"
                .to_owned(),
        ));
    } else if !upstream_names.contains(&default_upstream) {
        problems.push((
            "default_upstream".to_owned(),
            format!("unknown upstream {default_upstream:?}"),
        ));
    }

    if let Some(plan_shadow) = &file_config.plan_routes.shadow {
        for (field, set) in [
            ("upstream", plan_shadow.upstream.is_some()),
            ("percent", plan_shadow.percent.is_some()),
        ] {
            if set {
                problems.push((
                    format!("plan_routes.shadow.{field}"),
                    "is given by each route in state shadow (its service and percent)".to_owned(),
                ));
            }
        }
        // Checked even when no route is in state shadow yet.
        if let Err(problem) =
            validate_shadow_options(plan_shadow, "plan_routes.shadow", &upstream_names)
        {
            problems.push(problem);
        }
    }
    let mut routes = Vec::with_capacity(file_config.routes.len());
    let mut route_names = HashSet::new();
    for (route_idx, file_route) in file_config.routes.into_iter().enumerate() {
        let from_plan = file_route.from_plan;
        let at = format!("route[{route_idx}]");
        let validated = validate_route(file_route, &at, &upstream_names).map_err(
            |(field, message)| match field.strip_prefix(&format!("{at}.shadow.")) {
                // A derived route's shadow settings are the plan's `plan_routes.shadow`.
                Some(rest) if from_plan => (format!("plan_routes.shadow.{rest}"), message),
                _ => (field, message),
            },
        );
        match validated {
            Ok(route) if !route_names.insert(route.name.clone()) => problems.push((
                format!("route[{route_idx}].name"),
                format!("duplicate route name {:?}", route.name),
            )),
            Ok(route) => {
                let shadowing = routes
                    .iter()
                    .position(|earlier: &Route| same_requests(earlier, &route));
                match shadowing {
                    // A route written in the file replaces the one a plan state asks for.
                    Some(_) if from_plan => {}
                    Some(earlier_idx) => problems.push((
                        format!("route[{route_idx}].path"),
                        format!(
                            "takes the same requests as route {:?} above it, which always wins: \
                             this route could never match",
                            routes[earlier_idx].name
                        ),
                    )),
                    None => routes.push(route),
                }
            }
            Err(problem) => problems.push(problem),
        }
    }

    if file_config.proxy_name.is_empty() || !is_token(&file_config.proxy_name) {
        problems.push((
            "proxy_name".to_owned(),
            format!(
                "invalid name {:?}, expected letters, digits and -._",
                file_config.proxy_name
            ),
        ));
    }
    let trusted_hops = TrustedHops::parse(&file_config.trusted_hops)
        .map_err(|error| {
            problems.push((
                format!("trusted_hops[{}]", error.index),
                format!("{:?}: {}", error.entry, error.problem),
            ));
        })
        .ok();
    let limits = validate_limits(&file_config.limits)
        .map_err(|problem| problems.push(problem))
        .ok();
    let admin = match file_config.admin {
        None => Some(None),
        Some(admin) => validate_admin(admin, file, listen)
            .map(Some)
            .map_err(|problem| problems.push(problem))
            .ok(),
    };

    let migration = validate_migration(
        &file_config.plan_routes,
        std::mem::take(&mut file_config.plan_states),
        base,
        &mut problems,
    );

    // Derived routes share `plan_routes.shadow`: report each of its problems once.
    let mut seen_problems = HashSet::new();
    problems.retain(|problem| seen_problems.insert(problem.clone()));
    let (Some(listen), Some(trusted_hops), Some(limits), Some(admin), true) =
        (listen, trusted_hops, limits, admin, problems.is_empty())
    else {
        return Err(ConfigError::from_problems(file, problems));
    };
    Ok(Settings {
        listen,
        upstreams,
        routes,
        default_upstream,
        proxy_name: file_config.proxy_name,
        trusted_hops,
        access_log: file_config.access_log,
        limits,
        admin,
        headers: HeaderOptions {
            forwarding: ForwardingFields {
                x_forwarded: file_config.headers.x_forwarded,
                forwarded: file_config.headers.forwarded,
                via: file_config.headers.via,
            },
            request_id: file_config.headers.request_id,
            trace_context: file_config.headers.trace_context,
            underscores_in_headers: file_config.headers.underscores_in_headers,
        },
        tls: file_config.tls.map(|tls| ListenerTls {
            cert: base.join(tls.cert),
            key: base.join(tls.key),
        }),
        migration,
    })
}

/// `plan_routes.ledger` and `plan_routes.rollout`; `None` without a ledger.
fn validate_migration(
    plan_routes: &super::file::FilePlanRoutes,
    routes: Vec<super::settings::PlanRoute>,
    base: &Path,
    problems: &mut Vec<FieldProblem>,
) -> Option<super::settings::Migration> {
    let rollout = plan_routes.rollout.as_ref().and_then(|rollout| {
        crate::rollout::RolloutSpec::from_file(rollout)
            .map_err(|(field, reason)| {
                problems.push((format!("plan_routes.rollout.{field}"), reason));
            })
            .ok()
    });
    let ledger = match &plan_routes.ledger {
        Some(ledger) if ledger.trim().is_empty() => {
            problems.push((
                "plan_routes.ledger".to_owned(),
                "is empty: a file name, relative to the plan file".to_owned(),
            ));
            return None;
        }
        Some(ledger) => base.join(ledger),
        None => {
            if plan_routes.rollout.is_some() {
                problems.push((
                    "plan_routes.rollout".to_owned(),
                    "needs plan_routes.ledger: a rollout records each step there, and resumes from it after a restart".to_owned(),
                ));
            }
            return None;
        }
    };
    Some(super::settings::Migration {
        ledger,
        rollout,
        routes,
    })
}

fn validate_limits(limits: &FileLimits) -> Result<Limits, FieldProblem> {
    for (field, value, minimum) in [
        ("max_connections", limits.max_connections, 1),
        ("max_header_count", limits.max_header_count, 1),
        ("max_header_bytes", limits.max_header_bytes, 8192),
        ("max_uri_bytes", limits.max_uri_bytes, 16),
    ] {
        if value < minimum {
            return Err((
                format!("limits.{field}"),
                format!("must be at least {minimum}"),
            ));
        }
    }
    for (field, value) in [
        ("header_read_timeout_ms", limits.header_read_timeout_ms),
        ("idle_timeout_ms", limits.idle_timeout_ms),
    ] {
        if value == 0 {
            return Err((format!("limits.{field}"), "must be above 0".to_owned()));
        }
    }
    Ok(Limits {
        max_connections: limits.max_connections,
        max_header_count: limits.max_header_count,
        max_header_bytes: limits.max_header_bytes,
        max_uri_bytes: limits.max_uri_bytes,
        header_read_timeout: Duration::from_millis(limits.header_read_timeout_ms),
        idle_timeout: Duration::from_millis(limits.idle_timeout_ms),
        replay_buffer_bytes: limits.replay_buffer_bytes,
        max_body_bytes: (limits.max_body_bytes > 0).then_some(limits.max_body_bytes),
        shutdown_timeout: Duration::from_millis(limits.shutdown_timeout_ms),
    })
}

fn validate_admin(
    admin: FileAdmin,
    file: &Path,
    listen: Option<SocketAddr>,
) -> Result<Admin, FieldProblem> {
    let admin_listen: SocketAddr = admin.listen.parse().map_err(|_| {
        (
            "admin.listen".to_owned(),
            format!("invalid address {:?}, expected ip:port", admin.listen),
        )
    })?;
    if Some(admin_listen) == listen {
        return Err((
            "admin.listen".to_owned(),
            "is the same address as listen; the admin API needs its own port".to_owned(),
        ));
    }
    if !admin_listen.ip().is_loopback() && !admin.plain_http_off_loopback {
        return Err((
            "admin.listen".to_owned(),
            format!(
                "{admin_listen} is not a loopback address: the admin API moves traffic and its bearer token would cross the network in clear text; listen on 127.0.0.1 or [::1] (and reach it through an SSH tunnel or a TLS-terminating sidecar), or set admin.plain_http_off_loopback = true to accept that"
            ),
        ));
    }
    let base = file.parent().unwrap_or(Path::new("."));
    let token = match admin.token_file {
        Some(token_file) if token_file.is_empty() => {
            return Err(("admin.token_file".to_owned(), "is empty".to_owned()));
        }
        Some(token_file) => TokenSource::File(base.join(token_file)),
        None if admin.token_env.is_empty() => {
            return Err(("admin.token_env".to_owned(), "is empty".to_owned()));
        }
        None => TokenSource::Env(admin.token_env),
    };
    Ok(Admin {
        listen: admin_listen,
        token,
        audit_log: admin.audit_log.map(|audit_log| base.join(audit_log)),
    })
}

/// Largest `shadow.max_concurrent`: copies in flight on one route.
pub const MAX_SHADOW_CONCURRENT: usize = 100_000;
/// Largest `shadow.samples`: mismatches kept per route, each up to a few KiB.
pub const MAX_SHADOW_SAMPLES: usize = 1_000;

/// A field path and the message about it.
pub(crate) type FieldProblem = (String, String);

fn validate_upstream(
    file_upstream: FileUpstream,
    at: &str,
    base: &Path,
) -> Result<Upstream, FieldProblem> {
    check_name(&file_upstream.name, at)?;
    if file_upstream.addresses.is_empty() {
        return Err((
            format!("{at}.addresses"),
            "needs at least one address".to_owned(),
        ));
    }
    let addresses = file_upstream
        .addresses
        .iter()
        .enumerate()
        .map(|(address_idx, text)| {
            parse_address(text).ok_or_else(|| {
                (
                    format!("{at}.addresses[{address_idx}]"),
                    format!("invalid address {text:?}, expected host:port"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (field, value) in [
        ("connect_timeout_ms", file_upstream.connect_timeout_ms),
        ("request_timeout_ms", file_upstream.request_timeout_ms),
    ] {
        if value == 0 {
            return Err((format!("{at}.{field}"), "must be above 0".to_owned()));
        }
    }
    if file_upstream.max_fails > 0 && file_upstream.fail_timeout_ms == 0 {
        return Err((
            format!("{at}.fail_timeout_ms"),
            "must be above 0 when max_fails is set".to_owned(),
        ));
    }
    let health_check = file_upstream
        .health_check
        .map(|check| {
            if !check.path.starts_with('/')
                || check.path.bytes().any(|byte| byte <= b' ' || byte == 0x7f)
            {
                return Err((
                    format!("{at}.health_check.path"),
                    format!(
                        "invalid path {:?}, expected /path without spaces",
                        check.path
                    ),
                ));
            }
            for (field, value) in [
                ("interval_ms", check.interval_ms),
                ("timeout_ms", check.timeout_ms),
                ("unhealthy_threshold", u64::from(check.unhealthy_threshold)),
                ("healthy_threshold", u64::from(check.healthy_threshold)),
            ] {
                if value == 0 {
                    return Err((
                        format!("{at}.health_check.{field}"),
                        "must be above 0".to_owned(),
                    ));
                }
            }
            Ok(HealthCheck {
                path: check.path,
                interval: Duration::from_millis(check.interval_ms),
                timeout: Duration::from_millis(check.timeout_ms),
                unhealthy_threshold: check.unhealthy_threshold,
                healthy_threshold: check.healthy_threshold,
            })
        })
        .transpose()?;
    let protocol = match file_upstream.protocol {
        FileProtocol::Http1 => Protocol::Http1,
        FileProtocol::H2c => Protocol::H2c,
        FileProtocol::Https => Protocol::Https,
    };
    let tls = if protocol == Protocol::Https {
        if let Some(server_name) = &file_upstream.server_name
            && rustls_pki_types::ServerName::try_from(server_name.as_str()).is_err()
        {
            return Err((
                format!("{at}.server_name"),
                format!("invalid server name {server_name:?}"),
            ));
        }
        Some(UpstreamTls {
            ca_file: file_upstream.ca_file.map(|ca_file| base.join(ca_file)),
            server_name: file_upstream.server_name,
        })
    } else {
        for (field, set) in [
            ("ca_file", file_upstream.ca_file.is_some()),
            ("server_name", file_upstream.server_name.is_some()),
        ] {
            if set {
                return Err((
                    format!("{at}.{field}"),
                    "only applies to protocol = \"https\"".to_owned(),
                ));
            }
        }
        None
    };
    Ok(Upstream {
        name: file_upstream.name,
        addresses,
        connect_timeout: Duration::from_millis(file_upstream.connect_timeout_ms),
        request_timeout: Duration::from_millis(file_upstream.request_timeout_ms),
        pool_size: file_upstream.pool_size,
        idle_timeout: Duration::from_millis(file_upstream.idle_timeout_ms),
        protocol,
        max_fails: file_upstream.max_fails,
        fail_timeout: Duration::from_millis(file_upstream.fail_timeout_ms),
        health_check,
        tls,
    })
}

fn validate_route(
    file_route: FileRoute,
    at: &str,
    upstream_names: &HashSet<String>,
) -> Result<Route, FieldProblem> {
    check_name(&file_route.name, at)?;
    if file_route.name == DEFAULT_ROUTE_NAME {
        return Err((
            format!("{at}.name"),
            format!("{DEFAULT_ROUTE_NAME:?} is reserved for the catch-all route"),
        ));
    }
    let path = PathPattern::parse(&file_route.path)
        .map_err(|error| (format!("{at}.path"), error.message))?;

    let methods = match file_route.methods {
        None => None,
        Some(methods) if methods.is_empty() => {
            return Err((
                format!("{at}.methods"),
                "is empty; leave it out to take every method".to_owned(),
            ));
        }
        Some(methods) => Some(
            methods
                .iter()
                .enumerate()
                .map(|(method_idx, method)| {
                    if is_token(method) {
                        Ok(method.to_ascii_uppercase())
                    } else {
                        Err((
                            format!("{at}.methods[{method_idx}]"),
                            format!("invalid method {method:?}"),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };

    let host = match file_route.host {
        None => None,
        Some(host) if !is_route_host(&host) => {
            return Err((
                format!("{at}.host"),
                format!("invalid host {host:?}, expected a name without port"),
            ));
        }
        Some(host) => Some(host.to_ascii_lowercase()),
    };

    let mut headers = Vec::with_capacity(file_route.headers.len());
    for (name, value) in file_route.headers {
        if !is_token(&name) {
            return Err((
                format!("{at}.headers.{name}"),
                format!("invalid header name {name:?}"),
            ));
        }
        headers.push((name.to_ascii_lowercase(), value));
    }
    headers.sort();
    if let Some(pair) = headers.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err((
            format!("{at}.headers.{}", pair[0].0),
            "header named twice (names ignore case)".to_owned(),
        ));
    }

    if file_route.targets.is_empty() {
        return Err((
            format!("{at}.targets"),
            "needs at least one target".to_owned(),
        ));
    }
    let mut targets = Vec::with_capacity(file_route.targets.len());
    for (target_idx, file_target) in file_route.targets.into_iter().enumerate() {
        let target_at = format!("{at}.targets[{target_idx}]");
        if !upstream_names.contains(&file_target.upstream) {
            return Err((
                format!("{target_at}.upstream"),
                format!("unknown upstream {:?}", file_target.upstream),
            ));
        }
        let weight = u32::try_from(file_target.weight).map_err(|_| {
            (
                format!("{target_at}.weight"),
                format!(
                    "weight {} is out of range 0..={}",
                    file_target.weight,
                    u32::MAX
                ),
            )
        })?;
        targets.push(Target {
            upstream: file_target.upstream,
            weight,
        });
    }
    if targets.iter().all(|target| target.weight == 0) {
        return Err((
            format!("{at}.targets"),
            "every weight is 0; at least one target needs a weight above 0".to_owned(),
        ));
    }

    let sticky = file_route
        .sticky
        .map(|sticky| {
            let (kind, key) = match &sticky {
                FileSticky::Header(key) => ("header", key),
                FileSticky::Cookie(key) => ("cookie", key),
                FileSticky::Query(key) => ("query", key),
            };
            if key.is_empty() {
                return Err((format!("{at}.sticky.{kind}"), "is empty".to_owned()));
            }
            Ok(match sticky {
                FileSticky::Header(key) => Sticky::Header(key.to_ascii_lowercase()),
                FileSticky::Cookie(key) => Sticky::Cookie(key),
                FileSticky::Query(key) => Sticky::Query(key),
            })
        })
        .transpose()?;

    let request_timeout = match file_route.request_timeout_ms {
        Some(0) => {
            return Err((
                format!("{at}.request_timeout_ms"),
                "must be above 0".to_owned(),
            ));
        }
        Some(milliseconds) => Some(Duration::from_millis(milliseconds)),
        None => None,
    };
    let shadow = file_route
        .shadow
        .map(|shadow| validate_shadow(shadow, &format!("{at}.shadow"), &targets, upstream_names))
        .transpose()?;
    Ok(Route {
        name: file_route.name,
        path,
        methods,
        host,
        headers,
        targets,
        sticky,
        allow_override: file_route.allow_override,
        fallback: file_route.fallback,
        request_timeout,
        shadow,
        rollout: file_route.rollout,
        from_plan: file_route.from_plan,
    })
}

/// A route's `shadow` table; `targets` are the route's, which the copies must not go to.
fn validate_shadow(
    file_shadow: FileShadow,
    at: &str,
    targets: &[Target],
    upstream_names: &HashSet<String>,
) -> Result<Shadow, FieldProblem> {
    let Some(upstream) = file_shadow.upstream.clone() else {
        return Err((
            format!("{at}.upstream"),
            "is required: the upstream (the new service) that gets the copies".to_owned(),
        ));
    };
    if !upstream_names.contains(&upstream) {
        return Err((
            format!("{at}.upstream"),
            format!("unknown upstream {upstream:?}"),
        ));
    }
    if targets.iter().any(|target| target.upstream == upstream) {
        return Err((
            format!("{at}.upstream"),
            format!(
                "{upstream:?} is a target of this route: it would be compared with itself; shadow a service the route does not send to"
            ),
        ));
    }
    let percent = match file_shadow.percent {
        None => 100,
        Some(percent @ 0..=100) => percent as u8,
        Some(percent) => {
            return Err((
                format!("{at}.percent"),
                format!("percent {percent} is out of range 0..=100"),
            ));
        }
    };
    let compare = validate_shadow_options(&file_shadow, at, upstream_names)?;
    if file_shadow.noise_upstream.as_ref() == Some(&upstream) {
        return Err((
            format!("{at}.noise_upstream"),
            "is the shadow upstream; name a second instance of the monolith".to_owned(),
        ));
    }
    Ok(Shadow {
        compare,
        upstream,
        percent,
        timeout: Duration::from_millis(file_shadow.timeout_ms),
        max_concurrent: file_shadow.max_concurrent,
        max_body_bytes: file_shadow.max_body_bytes,
        max_response_bytes: file_shadow.max_response_bytes,
        mirror_writes: file_shadow.mirror_writes,
        noise_upstream: file_shadow.noise_upstream,
        samples: file_shadow.samples,
    })
}

/// The fields of a `shadow` table besides `upstream` and `percent`; the compiled rules.
fn validate_shadow_options(
    file_shadow: &FileShadow,
    at: &str,
    upstream_names: &HashSet<String>,
) -> Result<CompareRules, FieldProblem> {
    for (field, value) in [
        ("timeout_ms", file_shadow.timeout_ms),
        ("max_concurrent", file_shadow.max_concurrent as u64),
        ("max_response_bytes", file_shadow.max_response_bytes as u64),
    ] {
        if value == 0 {
            return Err((format!("{at}.{field}"), "must be above 0".to_owned()));
        }
    }
    for (field, value, maximum) in [
        (
            "max_concurrent",
            file_shadow.max_concurrent,
            MAX_SHADOW_CONCURRENT,
        ),
        ("samples", file_shadow.samples, MAX_SHADOW_SAMPLES),
    ] {
        if value > maximum {
            return Err((
                format!("{at}.{field}"),
                format!("must be at most {maximum}"),
            ));
        }
    }
    if let Some(noise_upstream) = &file_shadow.noise_upstream
        && !upstream_names.contains(noise_upstream)
    {
        return Err((
            format!("{at}.noise_upstream"),
            format!("unknown upstream {noise_upstream:?}"),
        ));
    }
    validate_compare(&file_shadow.compare, &format!("{at}.compare"))
}

fn validate_compare(compare: &FileCompare, at: &str) -> Result<CompareRules, FieldProblem> {
    let mut headers = Vec::with_capacity(compare.headers.len());
    for (header_idx, name) in compare.headers.iter().enumerate() {
        if !is_token(name) {
            return Err((
                format!("{at}.headers[{header_idx}]"),
                format!("invalid header name {name:?}"),
            ));
        }
        headers.push(name.to_ascii_lowercase());
    }
    headers.sort();
    headers.dedup();
    let parse_paths = |paths: &[String], field: &str| {
        paths
            .iter()
            .enumerate()
            .map(|(path_idx, text)| {
                FieldPath::parse(text)
                    .map_err(|message| (format!("{at}.{field}[{path_idx}]"), message))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(CompareRules {
        headers,
        ignore_fields: parse_paths(&compare.ignore_fields, "ignore_fields")?,
        ignore_array_order: parse_paths(&compare.ignore_array_order, "ignore_array_order")?,
    })
}

/// Whether two routes take exactly the same requests: the same path shape (parameter names
/// aside), methods, host and header conditions. The earlier one would always win.
pub(crate) fn same_requests(first: &Route, second: &Route) -> bool {
    fn shape(route: &Route) -> (Vec<Option<&str>>, bool, Option<Vec<String>>) {
        let segments: Vec<Option<&str>> = route
            .path
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => Some(text.as_str()),
                Segment::Param(_) | Segment::Glob => None,
            })
            .collect();
        let mut methods = route.methods.clone();
        if let Some(methods) = &mut methods {
            methods.sort();
            methods.dedup();
        }
        (segments, route.path.is_prefix, methods)
    }
    shape(first) == shape(second) && first.host == second.host && first.headers == second.headers
}

fn check_name(name: &str, at: &str) -> Result<(), FieldProblem> {
    if name.trim().is_empty() {
        return Err((format!("{at}.name"), "is empty".to_owned()));
    }
    Ok(())
}

/// `host:port` with a non-empty host and a port in 1..=65535; IPv6 hosts go in brackets.
fn parse_address(text: &str) -> Option<Address> {
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return (socket.port() != 0).then(|| Address {
            host: socket.ip().to_string(),
            port: socket.port(),
        });
    }
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|port| *port != 0)?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    host_ok.then(|| Address {
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// A host name or IPv4 address without port, or an IPv6 address in brackets (`[::1]`).
fn is_route_host(host: &str) -> bool {
    if let Some(inside) = host
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        return inside.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

/// An HTTP token (RFC 9110 5.6.2), as methods and header names must be.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}
