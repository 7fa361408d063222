//! Calls from the moved code into other services through their generated clients.
//!
//! A function of another service that the moved code calls is a placeholder in the service
//! crate (`graph.rs`). When that service's client was generated beside this output folder
//! (`../OTHER/OTHER-client`, as `ficus generate OTHER` writes it by default) and the function
//! is one of its ready operations, the placeholder's body calls the client instead of
//! panicking:
//!
//! - the handles it takes (connections, pools) are left unused: the other service has its
//!   own;
//! - arguments and the answer cross between the copied monolith types and the API's copies
//!   through their serde form (`ficus_remote::convert`); a copied type in a placeholder gets
//!   the derive the conversion needs, a type elsewhere must have it already;
//! - a sync function waits for the async client on a runtime of its own
//!   (`ficus_remote::wait`), an async one awaits it;
//! - a failed call becomes the function's own error type through `From<Failure>`, written
//!   once in `failures.rs` from how that type answers over HTTP (`failure.rs`); an error
//!   type of another crate that takes any error (`anyhow::Error`, `Box<dyn Error>`) needs
//!   nothing.
//!
//! A call made inside the caller's transaction leaves it: listed with file and line, blocked
//! when the operation writes (its write no longer rolls back with the caller's).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ficus_plan::Plan;
use serde::Serialize;
use syn::visit::Visit;

use super::graph::{Carry, Graph};
use crate::api::api_context;
use crate::error::Error;
use crate::failure::{self, ErrorContext};
use crate::local::{converts, lacking_derive};
use crate::model::CodeModel;
use crate::output::MANIFEST;
use crate::port::source::Sources;
use crate::port::{Class, Finding, Operation, Port, TypeDef, port_of};

/// The clients of other services found beside the output folder.
#[derive(Debug, Default)]
pub struct Remotes {
    pub(crate) clients: Vec<RemoteClient>,
}

/// Another service whose generated client the moved code can call.
#[derive(Debug)]
pub(crate) struct RemoteClient {
    pub service: String,
    /// `customer_client`
    pub client_crate: String,
    /// `CustomerApi`
    pub trait_name: String,
    pub port: Port,
    /// Ready operation path -> its method, for the operations the client has.
    pub methods: BTreeMap<String, String>,
}

/// Finds the clients generated beside `out` (`out/../OTHER/OTHER-client`, with the
/// generator's manifest) for the plan's other services, and reads each one's port.
pub fn remote_clients(
    model: &CodeModel,
    plan: &Plan,
    service: &str,
    root: &Path,
    out: &Path,
) -> Result<Remotes, Error> {
    let Some(parent) = out.parent() else {
        return Ok(Remotes::default());
    };
    let mut clients = Vec::new();
    for other in &plan.services {
        let name = other.name.as_str();
        if name == service {
            continue;
        }
        let folder = parent.join(name);
        let client_lib = folder.join(format!("{name}-client/src/lib.rs"));
        if !folder.join(MANIFEST).is_file() || !client_lib.is_file() {
            continue;
        }
        let client_text = std::fs::read_to_string(&client_lib).map_err(|error| Error::Read {
            path: client_lib.clone(),
            message: error.to_string(),
        })?;
        let port = port_of(model, plan, name, root)?;
        let api = api_context(&port);
        let methods = port
            .ready()
            .iter()
            .zip(&api.operations)
            .filter(|(_, method)| client_text.contains(&format!("async fn {}(", method.name)))
            .map(|(operation, method)| (operation.path.clone(), method.name.clone()))
            .collect();
        clients.push(RemoteClient {
            service: name.to_string(),
            client_crate: format!("{}_client", name.replace('-', "_")),
            trait_name: api.trait_name.clone(),
            port,
            methods,
        });
    }
    Ok(Remotes { clients })
}

/// A service the moved code calls, as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteService {
    pub service: String,
    /// The function in `ficus_remote.rs` giving its client (`customer`).
    pub function: String,
    pub client_crate: String,
    /// `CUSTOMER`: its client reads `CUSTOMER_URL` and `CUSTOMER_TIMEOUT_MS`.
    pub env: String,
    /// `customer-client = { path = "../../customer/customer-client" }`
    pub dependency: String,
    /// The operations the moved code calls through it.
    pub operations: Vec<RemoteCall>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemoteCall {
    /// The monolith function (`shop::customers::service::contact`).
    pub path: String,
    /// The client's method.
    pub method: String,
}

/// What the move does with other services' functions.
#[derive(Debug, Default)]
pub(super) struct RemotePlan {
    /// Placeholder function path -> its body calling the client.
    pub bodies: BTreeMap<String, String>,
    /// Placeholder function path -> why it stays a placeholder, for those a client has.
    pub not_called: BTreeMap<String, String>,
    /// Type path -> derives its placeholder copy gets for the conversions.
    pub derives: BTreeMap<String, BTreeSet<&'static str>>,
    pub services: Vec<RemoteService>,
    /// The error types failed calls become (`failures.rs`).
    pub errors: Vec<ErrorContext>,
    /// Error types with no variant to hold a failure: `failures.rs` leaves them to a person.
    pub unbuilt_errors: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

impl RemotePlan {
    /// Whether `service`'s uses are reached through its client.
    pub fn has_client(&self, service: &str) -> bool {
        self.services.iter().any(|remote| remote.service == service)
    }
}

/// Error types of other crates that take any error through `From` (`?` converts into them).
const ANY_ERROR: &[&str] = &["anyhow::Error", "eyre::Report", "Box<dyn"];

pub(super) fn plan(
    graph: &Graph<'_>,
    carry: &Carry<'_>,
    remotes: &Remotes,
    model: &CodeModel,
    root: &Path,
) -> Result<RemotePlan, Error> {
    let mut plan = RemotePlan::default();
    if remotes.clients.is_empty() {
        return Ok(plan);
    }
    let mut sources = Sources::new(root);
    let copied: BTreeSet<&str> = carry.placeholders.values().flatten().copied().collect();
    let mut error_types: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeMap<&str, Vec<RemoteCall>> = BTreeMap::new();
    for (&module, items) in &carry.placeholders {
        let service = graph.owner[module].as_str();
        let Some(client) = remotes
            .clients
            .iter()
            .find(|client| client.service == service)
        else {
            continue;
        };
        let operations: BTreeMap<&str, &Operation> = client
            .port
            .operations
            .iter()
            .map(|operation| (operation.path.as_str(), operation))
            .collect();
        let types = client.port.types_by_path();
        for &item in items {
            let Some(operation) = operations.get(item) else {
                continue;
            };
            let Some(method) = client.methods.get(item) else {
                if operation.class == Class::Ready {
                    plan.not_called.insert(
                        item.to_string(),
                        format!(
                            "the `{service}` client has no `{}`: generate `{service}` again",
                            operation.name
                        ),
                    );
                } else {
                    plan.not_called.insert(
                        item.to_string(),
                        format!(
                            "it is {} in `{service}`'s port, so its client has no method for it",
                            operation.class.as_str()
                        ),
                    );
                }
                continue;
            };
            match call(operation, method, client, &types, &copied, &mut sources)? {
                Ok(call) => {
                    for (path, derive) in call.derives {
                        plan.derives.entry(path).or_default().insert(derive);
                    }
                    if let Some(error) = &operation.error {
                        error_types.insert(error.clone());
                    }
                    plan.bodies.insert(item.to_string(), call.body);
                    used.entry(client.service.as_str())
                        .or_default()
                        .push(RemoteCall {
                            path: item.to_string(),
                            method: method.clone(),
                        });
                }
                Err(why) => {
                    plan.not_called.insert(item.to_string(), why);
                }
            }
        }
    }
    for client in &remotes.clients {
        let Some(operations) = used.remove(client.service.as_str()) else {
            continue;
        };
        let name = &client.service;
        plan.services.push(RemoteService {
            service: name.clone(),
            function: name.replace('-', "_"),
            client_crate: client.client_crate.clone(),
            env: name.to_uppercase().replace('-', "_"),
            dependency: format!("{name}-client = {{ path = \"../../{name}/{name}-client\" }}"),
            operations,
        });
    }
    for path in &error_types {
        let Some(def) = model.items.iter().find(|item| &item.path == path) else {
            continue;
        };
        match failure::error_shape(&mut sources, model, path, &def.file, def.line)? {
            Some(shape) if shape.fallback().is_some() || !shape.arms().is_empty() => {
                plan.errors.push(shape.context());
            }
            Some(shape) => plan
                .unbuilt_errors
                .push((shape.named.clone(), format!("{}:{}", def.file, def.line))),
            None => {}
        }
    }
    plan.findings
        .extend(transactions(graph, carry, &plan, remotes, &mut sources)?);
    Ok(plan)
}

/// A client call standing for one function.
struct Call {
    body: String,
    derives: Vec<(String, &'static str)>,
}

fn call(
    operation: &Operation,
    method: &str,
    client: &RemoteClient,
    types: &BTreeMap<&str, &TypeDef>,
    copied: &BTreeSet<&str>,
    sources: &mut Sources,
) -> Result<Result<Call, String>, Error> {
    if operation.receiver.is_some() || operation.self_type.is_some() {
        return Ok(Err(
            "it is a method: the placeholder keeps its signature, the call is yours to write"
                .to_string(),
        ));
    }
    let name = operation
        .path
        .rsplit("::")
        .next()
        .unwrap_or(&operation.name);
    let Some(found) = sources.function(&operation.file, name, operation.line)? else {
        return Ok(Err("its source was not found again".to_string()));
    };
    let syn::ReturnType::Type(_, returned) = &found.sig.output else {
        return Ok(Err(
            "it returns no `Result`, so a failed call has nowhere to go: return a `Result` first"
                .to_string(),
        ));
    };
    let returned_text = crate::port::type_text(returned);
    if failure::last_with_args(returned).is_none_or(|(name, _)| !name.ends_with("Result")) {
        return Ok(Err(format!(
            "it returns `{returned_text}`, not a `Result`, so a failed call has nowhere to go: return a `Result` first"
        )));
    }
    if operation.error.is_none() && !ANY_ERROR.iter().any(|any| returned_text.contains(any)) {
        return Ok(Err(format!(
            "its error type (in `{returned_text}`) is not the monolith's own, so no rule builds it from a failed call: write the call by hand"
        )));
    }
    let mut derives = Vec::new();
    let mut need = |written: &str, out: bool| -> Result<(), String> {
        let derive = if out { "Serialize" } else { "Deserialize" };
        for def in lacking_derive(written, &operation.names, types, out) {
            if !copied.contains(def.path.as_str()) {
                return Err(format!(
                    "`{}` ({}:{}) does not derive `{derive}`, and the call converts through serde: derive it",
                    def.path, def.file, def.line
                ));
            }
            derives.push((def.path.clone(), derive));
        }
        Ok(())
    };

    let inputs: BTreeMap<&str, &str> = operation
        .inputs
        .iter()
        .map(|param| (param.name.as_str(), param.ty.as_str()))
        .collect();
    let service_fn = format!("crate::ficus_remote::{}", client.service.replace('-', "_"));
    let mut body = String::from("{\n");
    let mut arguments = Vec::new();
    for (idx, input) in found.sig.inputs.iter().enumerate() {
        let syn::FnArg::Typed(typed) = input else {
            continue;
        };
        if !matches!(&*typed.pat, syn::Pat::Ident(_)) {
            return Ok(Err(
                "a parameter is a pattern, not a name: the call is yours to write".to_string(),
            ));
        }
        let param = crate::port::pattern_name(&typed.pat, idx);
        if operation.supplied.contains(&param) {
            body.push_str(&format!(
                "    // `{}` has its own; this handle is not used.\n    let _ = &{param};\n",
                client.service
            ));
            continue;
        }
        let Some(&written) = inputs.get(param.as_str()) else {
            return Ok(Err(format!("parameter `{param}` is not in the port")));
        };
        if let Err(why) = need(written, true) {
            return Ok(Err(why));
        }
        if written.starts_with('&') || converts(written, &operation.names) {
            body.push_str(&format!(
                "    let {param} = crate::ficus_remote::convert(\"{}\", \"{method}\", {param})?;\n",
                client.service
            ));
        }
        arguments.push(param);
    }
    if let Some(output) = &operation.output
        && let Err(why) = need(output, false)
    {
        return Ok(Err(why));
    }
    let call = format!(
        "{}::{}::{method}({service_fn}(){})",
        client.client_crate,
        client.trait_name,
        arguments
            .iter()
            .map(|argument| format!(", {argument}"))
            .collect::<String>()
    );
    let failed = format!("|error| {service_fn}_failure(\"{method}\", error)");
    if found.sig.asyncness.is_some() {
        body.push_str(&format!(
            "    let answer = {call}.await.map_err({failed})?;\n"
        ));
    } else {
        body.push_str(&format!(
            "    let answer = crate::ficus_remote::wait(async move {{ {call}.await }}).map_err({failed})?;\n"
        ));
    }
    match &operation.output {
        None => body.push_str("    let () = answer;\n    Ok(())\n"),
        Some(output) if converts(output, &operation.names) => body.push_str(&format!(
            "    Ok(crate::ficus_remote::convert(\"{}\", \"{method}\", answer)?)\n",
            client.service
        )),
        Some(_) => body.push_str("    Ok(answer)\n"),
    }
    body.push('}');
    derives.sort();
    derives.dedup();
    Ok(Ok(Call { body, derives }))
}

/// Calls of client-called functions that pass a handle bound to a transaction of the
/// caller: `let tx = conn.transaction()?` (or `begin`, `transaction_with..`), or the
/// parameter of a closure given to a `transaction*` method.
fn transactions(
    graph: &Graph<'_>,
    carry: &Carry<'_>,
    plan: &RemotePlan,
    remotes: &Remotes,
    sources: &mut Sources,
) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    for (from, to, service) in &carry.cross {
        if !plan.bodies.contains_key(to) || !seen.insert((from.clone(), to.clone())) {
            continue;
        }
        let Some(client) = remotes.clients.iter().find(|c| &c.service == service) else {
            continue;
        };
        let Some(operation) = client.port.operations.iter().find(|op| &op.path == to) else {
            continue;
        };
        let Some(caller) = graph.items.get(from.as_str()) else {
            continue;
        };
        if !matches!(caller.kind.as_str(), "fn" | "method") {
            continue;
        }
        let name = from.rsplit("::").next().unwrap_or(from);
        let Some(body) = sources.function_body(&caller.file, name, caller.line)? else {
            continue;
        };
        let callee = to.rsplit("::").next().unwrap_or(to);
        let mut finder = TxFinder {
            callee,
            transactions: BTreeSet::new(),
            found: Vec::new(),
        };
        finder.visit_block(&body);
        for (line, tx) in finder.found {
            let writes = !operation.writes.is_empty();
            findings.push(Finding {
                class: if writes {
                    Class::Blocked
                } else {
                    Class::NeedsChange
                },
                what: format!(
                    "`{from}` calls `{to}` inside its transaction `{tx}`; through the `{service}` client the call is no longer part of it{}",
                    if writes {
                        format!(
                            " (it writes `{}`: that write stays when the transaction rolls back)",
                            operation.writes.join("`, `")
                        )
                    } else {
                        " (it reads outside the transaction)".to_string()
                    }
                ),
                fix: if writes {
                    "make the other service's write undoable (a compensating call when this transaction fails) or keep both writes in one service".to_string()
                } else {
                    "check that reading the other service's current data is good enough here".to_string()
                },
                file: caller.file.clone(),
                line,
            });
        }
    }
    Ok(findings)
}

/// Finds calls of `callee` whose arguments include a transaction of the function.
struct TxFinder<'n> {
    callee: &'n str,
    transactions: BTreeSet<String>,
    /// (line, transaction name)
    found: Vec<(u32, String)>,
}

fn is_transaction_method(name: &str) -> bool {
    name.starts_with("transaction") || name == "begin" || name.starts_with("begin_")
}

/// Whether an expression opens a transaction: a `transaction*`/`begin` method call
/// somewhere in it (`conn.transaction()?`, `pool.begin().await?`).
fn opens_transaction(expr: &syn::Expr) -> bool {
    struct Opens(bool);
    impl<'ast> Visit<'ast> for Opens {
        fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
            if is_transaction_method(&node.method.to_string()) && node.args.is_empty() {
                self.0 = true;
            }
            syn::visit::visit_expr_method_call(self, node);
        }
    }
    let mut opens = Opens(false);
    opens.visit_expr(expr);
    opens.0
}

/// The name an argument expression passes (`tx`, `&tx`, `&mut *tx`).
fn passed_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Reference(reference) => passed_name(&reference.expr),
        syn::Expr::Unary(unary) => passed_name(&unary.expr),
        syn::Expr::Paren(paren) => passed_name(&paren.expr),
        syn::Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for TxFinder<'_> {
    fn visit_local(&mut self, node: &'ast syn::Local) {
        if let Some(init) = &node.init
            && opens_transaction(&init.expr)
            && let syn::Pat::Ident(ident) = strip_type(&node.pat)
        {
            self.transactions.insert(ident.ident.to_string());
        }
        syn::visit::visit_local(self, node);
    }

    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        // `conn.transaction(|tx| ...)`: the closure's parameters are the transaction.
        if is_transaction_method(&node.method.to_string()) {
            for arg in &node.args {
                if let syn::Expr::Closure(closure) = arg {
                    for input in &closure.inputs {
                        if let syn::Pat::Ident(ident) = strip_type(input) {
                            self.transactions.insert(ident.ident.to_string());
                        }
                    }
                }
            }
        }
        syn::visit::visit_expr_method_call(self, node);
    }

    fn visit_expr_call(&mut self, node: &'ast syn::ExprCall) {
        if let syn::Expr::Path(func) = &*node.func
            && func
                .path
                .segments
                .last()
                .is_some_and(|seg| seg.ident == self.callee)
        {
            for arg in &node.args {
                if let Some(name) = passed_name(arg)
                    && self.transactions.contains(&name)
                {
                    let line = func
                        .path
                        .segments
                        .last()
                        .map_or(0, |seg| seg.ident.span().start().line as u32);
                    self.found.push((line, name));
                }
            }
        }
        syn::visit::visit_expr_call(self, node);
    }
}

fn strip_type(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Type(typed) => strip_type(&typed.pat),
        other => other,
    }
}
