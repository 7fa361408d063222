//! The generated `SERVICE-service` crate and its deployment files: an axum server that serves
//! the monolith's routes moving to the service (handlers answering 501 until their code moves,
//! in a file people own), one `POST /operations/NAME` endpoint per ready operation (bodies in
//! another file people own), `/healthz`, `/readyz`, Prometheus `/metrics`, the OpenAPI 3.1
//! document it also serves, graceful shutdown, configuration from the environment; a
//! Dockerfile, Kubernetes manifests and the plan entries for `ficus proxy`.
//!
//! Routes axum cannot take as they are (a capture inside a segment, a method it has no router
//! for, a path that differs from another only in its parameters' names) are left out with a
//! comment in `main.rs`; `MIGRATION.md` lists every route either way.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{ApiContext, ApiOperation, Dto, api_context};
use crate::error::Error;
use crate::local::{LOCAL_FILE, LocalContext, SupplyMethod};
use crate::moving::{MoveContext, Moved};
use crate::output::GeneratedFile;
use crate::port::{Port, PortRoute};
use crate::render::Renderer;

/// What the service templates see.
#[derive(Debug, Serialize)]
pub struct ServiceContext {
    pub service: String,
    /// The API crate as Rust names it (`catalog_api`).
    pub api_crate: String,
    /// The service crate as Rust names it (`catalog_service`).
    pub service_crate: String,
    /// The client crate as Rust names it (`catalog_client`).
    pub client_crate: String,
    pub trait_name: String,
    /// `CATALOG` for `catalog`: environment variables are `CATALOG_ADDR`, ...
    pub env_prefix: String,
    /// `catalog_service`: metric names start with it.
    pub metric_prefix: String,
    pub route_groups: Vec<RouteGroup>,
    pub handlers: Vec<HandlerStub>,
    /// Routes left out, each with why.
    pub skipped: Vec<String>,
    pub operations: Vec<ServiceOperation>,
    pub routes: Vec<PortRoute>,
    /// `ficus generate --move`: the moved code and what it needs; `None` without it.
    pub moved: Option<MoveContext>,
    /// The routes whose handlers moved, mounted on their own code (`--move`).
    pub moved_groups: Vec<RouteGroup>,
    /// The moved operations answered by the moved code itself (`--move`), through the same
    /// in-process adapter the monolith includes; `None` when none is.
    pub in_process: Option<InProcess>,
}

/// The in-process adapter (`monolith/local.rs`) included in the service crate after
/// `--move`: the moved code kept its paths, so its calls resolve there as in the monolith.
#[derive(Debug, Serialize)]
pub struct InProcess {
    /// `#[path]` of its declaration in `src/lib.rs`.
    pub include_path: String,
    /// The module it is declared as (`ficus_local`).
    pub module: String,
    /// The operations it answers.
    pub operations: BTreeSet<String>,
    /// What the state must supply (see `local.rs`).
    pub supplies: Vec<SupplyMethod>,
}

/// One path and its method routers, as axum chains them (`get(handlers::a).post(handlers::b)`).
#[derive(Debug, Serialize)]
pub struct RouteGroup {
    pub path: String,
    pub chain: String,
}

#[derive(Debug, Serialize)]
pub struct HandlerStub {
    pub name: String,
    pub method: String,
    pub path: String,
    /// The monolith's handler it stands for.
    pub monolith: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Serialize)]
pub struct ServiceOperation {
    #[serde(flatten)]
    pub operation: ApiOperation,
    /// Name of the struct its JSON body is read into.
    pub input: String,
    /// It writes no table: the client may retry it.
    pub idempotent: bool,
    /// Arguments for a contract test (`Default::default()` each), when every parameter type
    /// has a default value.
    pub sample: String,
    pub has_sample: bool,
}

/// The files of the service crate and of its deployment, paths relative to the output folder.
/// With `moved` (`--move`), the moved handlers serve their routes and the moved and carried
/// files are added; with `local` too, the operations it wires are answered by the moved code.
pub fn service_files(
    port: &Port,
    renderer: &Renderer,
    moved: Option<&Moved>,
    local: Option<&LocalContext>,
) -> Result<Vec<GeneratedFile>, Error> {
    let api = api_context(port);
    let mut context = service_context(port, &api, moved);
    context.in_process = in_process(moved, local);
    let service = &port.service;
    let crate_dir = format!("{service}-service");
    let crates = [
        (
            "service/Cargo.toml",
            format!("{crate_dir}/Cargo.toml"),
            Output::Text,
        ),
        (
            "service/lib.rs",
            format!("{crate_dir}/src/lib.rs"),
            Output::Rust,
        ),
        (
            "service/main.rs",
            format!("{crate_dir}/src/main.rs"),
            Output::Rust,
        ),
        (
            "service/handlers.rs",
            format!("{crate_dir}/src/handlers.rs"),
            Output::Once,
        ),
        (
            "service/operations.rs",
            format!("{crate_dir}/src/operations.rs"),
            Output::Once,
        ),
        (
            "service/contract.rs",
            format!("{crate_dir}/tests/contract.rs"),
            Output::Rust,
        ),
        (
            "client/Cargo.toml",
            format!("{service}-client/Cargo.toml"),
            Output::Text,
        ),
        (
            "client/lib.rs",
            format!("{service}-client/src/lib.rs"),
            Output::Rust,
        ),
        ("service/Dockerfile", "Dockerfile".to_string(), Output::Text),
        (
            "service/kubernetes.yaml",
            "deploy/kubernetes.yaml".to_string(),
            Output::Text,
        ),
        (
            "service/ficus-plan.toml",
            "deploy/ficus-plan.toml".to_string(),
            Output::Text,
        ),
    ];
    let mut crates = crates.to_vec();
    if let Some(moved) = &context.moved {
        if moved.state_type.is_some() {
            crates.push((
                "service/state.rs",
                format!("{crate_dir}/src/state.rs"),
                Output::Once,
            ));
        }
        if !moved.remotes.is_empty() {
            crates.push((
                "service/ficus_remote.rs",
                format!("{crate_dir}/src/ficus_remote.rs"),
                Output::Rust,
            ));
            crates.push((
                "service/failures.rs",
                format!("{crate_dir}/src/failures.rs"),
                Output::OnceRust,
            ));
        }
        if moved.kernel_crate.is_some() {
            crates.push((
                "kernel/Cargo.toml",
                format!("{service}-kernel/Cargo.toml"),
                Output::Text,
            ));
        }
    }
    let mut files = Vec::with_capacity(crates.len() + 1);
    for (template, path, output) in crates {
        let text = renderer.render(template, &context)?;
        files.push(match output {
            Output::Text => GeneratedFile::owned(path, text),
            Output::Rust => GeneratedFile::owned(path, renderer.format_rust(template, &text)?),
            Output::Once => GeneratedFile::once(path, text),
            Output::OnceRust => GeneratedFile::once(path, renderer.format_rust(template, &text)?),
        });
        if let Some(file) = files.last_mut() {
            file.template = Some(template.to_string());
        }
    }
    files.push(GeneratedFile::owned(
        format!("{crate_dir}/openapi.json"),
        openapi(port, &api, &context),
    ));
    if let Some(moved) = moved {
        files.extend(moved.files.iter().cloned());
    }
    Ok(files)
}

/// The adapter in the service crate: after `--move`, when the moved crate is the one it was
/// written for, it calls at least one operation, and the moved handlers have a state to
/// supply it.
fn in_process(moved: Option<&Moved>, local: Option<&LocalContext>) -> Option<InProcess> {
    let (moved, local) = (moved?, local?);
    if local.operations.is_empty()
        || local.monolith_crate != moved.context.monolith_crate
        || moved.context.state_type.is_none()
    {
        return None;
    }
    Some(InProcess {
        include_path: format!("../../{LOCAL_FILE}"),
        module: "ficus_local".to_string(),
        operations: local
            .operations
            .iter()
            .map(|operation| operation.api.name.clone())
            .collect(),
        supplies: local.supplies.clone(),
    })
}

/// How a template's text becomes a file.
#[derive(Clone, Copy)]
enum Output {
    /// The generator's, as rendered.
    Text,
    /// The generator's, parsed and formatted as Rust.
    Rust,
    /// Written once for people, as rendered.
    Once,
    /// Written once for people, parsed and formatted as Rust.
    OnceRust,
}

/// The context of the service templates.
pub fn service_context(port: &Port, api: &ApiContext, moved: Option<&Moved>) -> ServiceContext {
    let mut handlers: Vec<HandlerStub> = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    // Path -> (method router, handler expression), for stubs and for moved handlers.
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut moved_groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut shapes: BTreeMap<String, String> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for route in &port.routes {
        if !seen.insert((route.method.clone(), route.path.clone())) {
            continue;
        }
        let Some(router) = method_router(&route.method) else {
            skipped.push(format!(
                "{} {}: axum has no router for the method",
                route.method, route.path
            ));
            continue;
        };
        if !whole_segment_captures(&route.path) {
            skipped.push(format!(
                "{} {}: a capture inside a path segment",
                route.method, route.path
            ));
            continue;
        }
        let shape = shape(&route.path);
        if let Some(other) = shapes.get(&shape)
            && *other != route.path
        {
            skipped.push(format!(
                "{} {}: differs from {other} only in its parameters' names",
                route.method, route.path
            ));
            continue;
        }
        shapes.insert(shape, route.path.clone());
        if let Some(local) = moved.and_then(|moved| moved.handlers.get(&route.handler)) {
            moved_groups
                .entry(route.path.clone())
                .or_default()
                .push((router.to_string(), local.clone()));
            continue;
        }
        let name = unique(handler_name(route), &mut names);
        groups
            .entry(route.path.clone())
            .or_default()
            .push((router.to_string(), format!("handlers::{name}")));
        handlers.push(HandlerStub {
            name,
            method: route.method.clone(),
            path: route.path.clone(),
            monolith: route.handler.clone(),
            file: route.file.clone(),
            line: route.line,
        });
    }
    let route_groups = chains(groups);
    let moved_groups = chains(moved_groups);
    let operations = api
        .operations
        .iter()
        .map(|operation| {
            let defaults = operation.params.iter().all(|param| has_default(&param.ty));
            let sample = vec!["Default::default()"; operation.params.len()].join(", ");
            let idempotent = port
                .operations
                .iter()
                .find(|port_operation| port_operation.path == operation.path)
                .is_some_and(|port_operation| port_operation.idempotent);
            ServiceOperation {
                operation: operation.clone(),
                input: format!("{}Input", crate::api::camel_case(&operation.name)),
                idempotent,
                has_sample: defaults && !operation.params.is_empty(),
                sample,
            }
        })
        .collect();
    ServiceContext {
        service: port.service.clone(),
        api_crate: format!("{}_api", port.service.replace('-', "_")),
        service_crate: format!("{}_service", port.service.replace('-', "_")),
        client_crate: format!("{}_client", port.service.replace('-', "_")),
        trait_name: api.trait_name.clone(),
        env_prefix: port.service.replace('-', "_").to_uppercase(),
        metric_prefix: format!("{}_service", port.service.replace('-', "_")),
        route_groups,
        handlers,
        skipped,
        operations,
        routes: port.routes.clone(),
        moved: moved.map(|moved| moved.context.clone()),
        moved_groups,
        in_process: None,
    }
}

/// Each path's method routers, as axum chains them (`get(a).post(b)`).
fn chains(groups: BTreeMap<String, Vec<(String, String)>>) -> Vec<RouteGroup> {
    groups
        .into_iter()
        .filter_map(|(path, methods)| {
            // `any` takes every method: with others on the same path it is left out.
            let methods: Vec<&(String, String)> = if methods.len() > 1 {
                methods
                    .iter()
                    .filter(|(router, _)| router != "any")
                    .collect()
            } else {
                methods.iter().collect()
            };
            let chain: Vec<String> = methods
                .iter()
                .map(|(router, handler)| format!("{router}({handler})"))
                .collect();
            (!chain.is_empty()).then(|| RouteGroup {
                path,
                chain: chain.join("."),
            })
        })
        .collect()
}

/// Whether a parameter type as the API writes it has a `Default` (std scalars, text and
/// containers of them): contract tests call the operation with it.
fn has_default(ty: &str) -> bool {
    fn check(ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Tuple(tuple) => tuple.elems.iter().all(check),
            syn::Type::Path(path) if path.qself.is_none() => {
                let Some(last) = path.path.segments.last() else {
                    return false;
                };
                let name = last.ident.to_string();
                let scalar = matches!(
                    name.as_str(),
                    "bool"
                        | "char"
                        | "String"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "i128"
                        | "isize"
                        | "u8"
                        | "u16"
                        | "u32"
                        | "u64"
                        | "u128"
                        | "usize"
                        | "f32"
                        | "f64"
                );
                let container = matches!(
                    name.as_str(),
                    "Option" | "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet"
                );
                match &last.arguments {
                    syn::PathArguments::None => scalar,
                    syn::PathArguments::AngleBracketed(args) if container => {
                        args.args.iter().all(|arg| match arg {
                            syn::GenericArgument::Type(ty) => check(ty),
                            _ => false,
                        })
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }
    syn::parse_str::<syn::Type>(ty).is_ok_and(|ty| check(&ty))
}

/// The axum function that routes `method`.
fn method_router(method: &str) -> Option<&'static str> {
    Some(match method {
        "GET" => "get",
        "POST" => "post",
        "PUT" => "put",
        "DELETE" => "delete",
        "PATCH" => "patch",
        "HEAD" => "head",
        "OPTIONS" => "options",
        "TRACE" => "trace",
        "ANY" => "any",
        _ => return None,
    })
}

/// Whether every `{..}` of `path` is a whole segment, as axum's router takes them.
fn whole_segment_captures(path: &str) -> bool {
    path.split('/').all(|segment| {
        !segment.contains(['{', '}']) || (segment.starts_with('{') && segment.ends_with('}'))
    })
}

/// `path` with its parameters' names taken out: `/a/{id}` and `/a/{name}` have one shape.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix("{*") {
            Some(_) => "{*}",
            None if segment.starts_with('{') => "{}",
            None => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A Rust function name for a route's handler: the monolith handler's name, or the method
/// and path for a closure.
fn handler_name(route: &PortRoute) -> String {
    let base = match route.handler.rsplit("::").next() {
        Some(name) if !name.starts_with('<') && !name.is_empty() => name.to_string(),
        _ => format!("{} {}", route.method, route.path),
    };
    let mut name: String = base
        .to_lowercase()
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    name = name.trim_matches('_').to_string();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    // syn takes no keyword, nor anything else Rust does not, as an identifier.
    if syn::parse_str::<syn::Ident>(&name).is_err() {
        name = format!("route_{name}");
    }
    name
}

fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut counter = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}_{counter}");
        counter += 1;
    }
    candidate
}

/// The OpenAPI 3.1 document of the service: its routes, its operations' endpoints with their
/// bodies, health, readiness and metrics, and a schema per copied type.
fn openapi(port: &Port, api: &ApiContext, context: &ServiceContext) -> String {
    let mut paths = serde_json::Map::new();
    for handler in &context.handlers {
        let path = handler.path.replace("{*", "{");
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let methods: Vec<String> = if handler.method == "ANY" {
            ["get", "post", "put", "delete", "patch"]
                .map(str::to_string)
                .to_vec()
        } else {
            vec![handler.method.to_lowercase()]
        };
        for method in methods {
            let entry = paths.entry(path.clone()).or_insert_with(|| json!({}));
            entry[method.as_str()] = json!({
                "operationId": handler.name,
                "description": format!("Served in the monolith by `{}` ({}:{}).", handler.monolith, handler.file, handler.line),
                "parameters": parameters,
                "responses": { "501": { "description": "Not moved to the service yet." } }
            });
        }
    }
    for operation in &api.operations {
        let body = object_schema(&operation.params);
        paths.insert(
            format!("/operations/{}", operation.name),
            json!({ "post": {
                "operationId": operation.name,
                "description": format!("`{}` ({}:{}) in the monolith.", operation.path, operation.file, operation.line),
                "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
                "responses": {
                    "200": { "description": "The operation's result.", "content": { "application/json": { "schema": schema_of(&operation.output) } } },
                    "default": { "description": "The operation failed.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApiError" } } } }
                }
            } }),
        );
    }
    for (path, description) in [
        ("/healthz", "Answers 200 while the process runs."),
        (
            "/readyz",
            "Answers 200 while the service takes requests, 503 once it shuts down.",
        ),
        ("/metrics", "Prometheus metrics."),
    ] {
        paths.insert(
            path.to_string(),
            json!({ "get": { "description": description, "responses": { "200": { "description": "OK" } } } }),
        );
    }
    let mut schemas: serde_json::Map<String, Value> = api
        .dtos
        .iter()
        .map(|dto| (dto.name.clone(), dto_schema(dto)))
        .collect();
    schemas.insert(
        "ApiError".to_string(),
        json!({ "type": "object", "required": ["kind"], "properties": {
            "kind": { "enum": ["unavailable", "timeout", "rejected", "internal"] },
            "message": { "type": "string" },
            "status": { "type": "integer" }
        } }),
    );
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{} service", port.service),
            "version": "0.1.0",
            "description": "Written by ficus generate from the monolith's code and plan."
        },
        "paths": paths,
        "components": { "schemas": schemas }
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn dto_schema(dto: &Dto) -> Value {
    let mut schema = match dto.kind.as_str() {
        "alias" => schema_of(&dto.alias),
        "tuple" => json!({
            "type": "array",
            "prefixItems": dto.fields.iter().map(|field| schema_of(&field.ty)).collect::<Vec<_>>()
        }),
        "enum" => json!({
            "oneOf": dto.variants.iter().map(|variant| {
                let name = variant.split(|ch: char| !ch.is_alphanumeric() && ch != '_').next().unwrap_or(variant);
                if name.len() == variant.len() {
                    json!({ "const": name })
                } else {
                    json!({ "type": "object", "required": [name], "properties": { name: {} } })
                }
            }).collect::<Vec<_>>()
        }),
        _ => object_schema(&dto.fields),
    };
    if !dto.docs.is_empty() {
        schema["description"] = json!(dto.docs.join("\n"));
    }
    schema
}

/// An object with one property per field; the fields that are not `Option`s are required.
fn object_schema(fields: &[crate::api::ApiField]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|field| (field.name.clone(), schema_of(&field.ty)))
        .collect();
    let required: Vec<&str> = fields
        .iter()
        .filter(|field| !field.ty.starts_with("Option<"))
        .map(|field| field.name.as_str())
        .collect();
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The JSON Schema of a type as the API writes it.
fn schema_of(ty: &str) -> Value {
    let Ok(parsed) = syn::parse_str::<syn::Type>(ty) else {
        return json!({});
    };
    schema_of_type(&parsed)
}

fn schema_of_type(ty: &syn::Type) -> Value {
    match ty {
        syn::Type::Tuple(tuple) if tuple.elems.is_empty() => json!({ "type": "null" }),
        syn::Type::Tuple(tuple) => json!({
            "type": "array",
            "prefixItems": tuple.elems.iter().map(schema_of_type).collect::<Vec<_>>()
        }),
        syn::Type::Array(array) => json!({ "type": "array", "items": schema_of_type(&array.elem) }),
        syn::Type::Path(path) => {
            let Some((name, args)) = crate::failure::last_with_args(ty) else {
                return json!({});
            };
            match (name.as_str(), args.as_slice()) {
                ("i8" | "i16" | "i32" | "i64" | "i128" | "isize", _) => {
                    json!({ "type": "integer" })
                }
                ("u8" | "u16" | "u32" | "u64" | "u128" | "usize", _) => {
                    json!({ "type": "integer", "minimum": 0 })
                }
                ("f32" | "f64", _) => json!({ "type": "number" }),
                ("bool", _) => json!({ "type": "boolean" }),
                (
                    "String" | "str" | "char" | "PathBuf" | "IpAddr" | "Ipv4Addr" | "Ipv6Addr"
                    | "SocketAddr",
                    _,
                ) => {
                    json!({ "type": "string" })
                }
                ("Option", [inner]) => {
                    json!({ "anyOf": [schema_of_type(inner), { "type": "null" }] })
                }
                ("Vec" | "VecDeque" | "HashSet" | "BTreeSet", [inner]) => {
                    json!({ "type": "array", "items": schema_of_type(inner) })
                }
                ("HashMap" | "BTreeMap", [_, value]) => {
                    json!({ "type": "object", "additionalProperties": schema_of_type(value) })
                }
                ("Box", [inner]) => schema_of_type(inner),
                ("Value", _) => json!({}),
                (other, _)
                    if other.starts_with(char::is_uppercase) && path.path.segments.len() == 1 =>
                {
                    json!({ "$ref": format!("#/components/schemas/{other}") })
                }
                _ => json!({}),
            }
        }
        _ => json!({}),
    }
}
