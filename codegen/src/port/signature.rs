//! Reads one function's signature as a remote operation would need it: which inputs cross
//! the boundary, what it returns on success, which monolith types it names, and what in it
//! cannot cross a network as written (borrows, generics, `impl Trait`, closures, iterators,
//! lifetimes, handles, the caller's transaction).
//!
//! Syntax only: a name is judged by its last segment (`rusqlite::Transaction` and
//! `sqlx::Transaction` both read `Transaction`). Monolith types are resolved by `port.rs`.

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::{FnArg, GenericArgument, GenericParam, PathArguments, ReturnType, Signature, Type};

use super::Class;

/// What a signature says, before monolith types are resolved.
#[derive(Debug, Default)]
pub(crate) struct SignatureFacts {
    /// `&self`, `&mut self`, `self`, or `None` for a free function.
    pub receiver: Option<String>,
    pub inputs: Vec<(String, String)>,
    /// Success type: `T` of `Result<T, E>` (or of an alias named `..Result`), else the whole
    /// return type; `None` for `()`.
    pub output: Option<String>,
    pub is_async: bool,
    /// It takes the rest of a request chain (`Next`, `ServiceRequest`): HTTP middleware, which
    /// guards routes rather than offering an operation.
    pub middleware: bool,
    /// Parameters left out of the operation because the service supplies its own (a database
    /// connection or pool).
    pub supplied: Vec<String>,
    pub findings: Vec<(Class, String, String)>,
    /// Last segments of the path types that are neither std nor known serialisable types:
    /// the monolith's own types, or unknown ones.
    pub named_types: BTreeSet<String>,
}

/// Parameter types only HTTP middleware takes: the rest of the chain, or the whole request
/// as a middleware sees it.
const MIDDLEWARE: &[&str] = &["Next", "ServiceRequest"];

/// Transaction types: a caller's transaction cannot span a process boundary.
const TRANSACTIONS: &[&str] = &["Transaction", "Tx", "Savepoint"];

/// Database connections and pools: the service opens its own, so they do not cross.
const CONNECTIONS: &[&str] = &[
    "Conn",
    "Connection",
    "PgConnection",
    "SqliteConnection",
    "MysqlConnection",
    "MySqlConnection",
    "PooledConnection",
    "DatabaseConnection",
    "DbConn",
    "DbPool",
    "Pool",
    "PgPool",
    "SqlitePool",
    "MySqlPool",
    "AnyPool",
];

/// Values that stand for something inside this process: files, sockets, channels, tasks,
/// locks and single-threaded shared cells.
const HANDLES: &[&str] = &[
    "File",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "UnixStream",
    "Sender",
    "SyncSender",
    "Receiver",
    "UnboundedSender",
    "UnboundedReceiver",
    "JoinHandle",
    "Mutex",
    "RwLock",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "Rc",
    "RefCell",
    "Cell",
    "Weak",
    "Semaphore",
    "Notify",
    "Barrier",
    "Condvar",
];

/// Containers whose type arguments are what crosses.
const CONTAINERS: &[&str] = &[
    "Option", "Vec", "Box", "HashMap", "BTreeMap", "HashSet", "BTreeSet", "VecDeque",
];

/// Types that serialise as they are: std scalars and text, and the common value types of the
/// crates.io ecosystem (chrono, time, uuid, rust_decimal, url, serde_json, bytes).
const SERIALISABLE: &[&str] = &[
    "bool",
    "char",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "String",
    "str",
    "Uuid",
    "DateTime",
    "NaiveDate",
    "NaiveDateTime",
    "NaiveTime",
    "Utc",
    "FixedOffset",
    "OffsetDateTime",
    "PrimitiveDateTime",
    "Date",
    "Decimal",
    "Url",
    "Value",
    "Bytes",
    "Duration",
    "PathBuf",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "SocketAddr",
    "SystemTime",
];

pub(crate) fn read_signature(sig: &Signature) -> SignatureFacts {
    let mut facts = SignatureFacts {
        is_async: sig.asyncness.is_some(),
        ..SignatureFacts::default()
    };
    let generic_names: BTreeSet<String> = sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(param) => Some(param.ident.to_string()),
            _ => None,
        })
        .collect();
    read_generics(sig, &mut facts);
    if matches!(sig.safety, syn::Safety::Unsafe(_)) {
        facts.findings.push((
            Class::NeedsChange,
            "is `unsafe`: its safety conditions are the caller's to keep".to_string(),
            "make the operation safe to call, checking its conditions inside".to_string(),
        ));
    }
    for (idx, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                facts.receiver = Some(match &receiver.kind {
                    syn::ReceiverKind::Reference(_, _, Some(_)) => "&mut self".to_string(),
                    syn::ReceiverKind::Reference(_, _, None) => "&self".to_string(),
                    syn::ReceiverKind::Typed(_, ty) => format!("self: {}", type_text(ty)),
                    _ => "self".to_string(),
                });
            }
            FnArg::Typed(typed) => {
                let name = pattern_name(&typed.pat, idx);
                if let Some(last) = last_segment(peel_reference(&typed.ty))
                    && MIDDLEWARE.contains(&last.as_str())
                {
                    facts.middleware = true;
                }
                if let Some(last) = last_segment(peel_reference(&typed.ty))
                    && CONNECTIONS.contains(&last.as_str())
                {
                    facts.supplied.push(name);
                    continue;
                }
                let mut walk = Walk {
                    facts: &mut facts,
                    generic_names: &generic_names,
                    what: format!("parameter `{name}: {}`", type_text(&typed.ty)),
                    output: false,
                };
                walk.top(&typed.ty);
                facts.inputs.push((name, type_text(&typed.ty)));
            }
        }
    }
    if sig.variadic.is_some() {
        facts.findings.push((
            Class::NeedsChange,
            "takes C variadic arguments".to_string(),
            "take a `Vec` of values".to_string(),
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        let success = success_type(ty);
        let mut walk = Walk {
            facts: &mut facts,
            generic_names: &generic_names,
            what: format!("return type `{}`", type_text(ty)),
            output: true,
        };
        walk.top(ty);
        facts.output = success
            .filter(|ty| !matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty()))
            .map(type_text);
    }
    facts
}

/// A type as written, formatted by `prettyplease` and kept on one line.
pub(crate) fn type_text(ty: &Type) -> String {
    let file: syn::File = syn::parse_quote!(type __Port = #ty;);
    let text = one_line(&prettyplease::unparse(&file));
    text.trim_start_matches("type __Port = ")
        .trim_end_matches(';')
        .to_string()
}

/// A signature as written, formatted by `prettyplease` and kept on one line.
pub(crate) fn signature_text(sig: &Signature) -> String {
    let file: syn::File = syn::parse_quote!(#sig {});
    one_line(&prettyplease::unparse(&file))
        .trim_end_matches("{}")
        .trim_end()
        .to_string()
}

/// Joins lines, dropping their indentation and the comma a wrapped list ends with.
fn one_line(text: &str) -> String {
    let mut line = String::new();
    for part in text.lines().map(str::trim).filter(|part| !part.is_empty()) {
        let glue = !(line.is_empty()
            || line.ends_with('(')
            || line.ends_with('<')
            || part.starts_with(')')
            || part.starts_with('>'));
        if glue {
            line.push(' ');
        }
        if (part.starts_with(')') || part.starts_with('>')) && line.ends_with(',') {
            line.pop();
        }
        line.push_str(part);
    }
    line
}

fn read_generics(sig: &Signature, facts: &mut SignatureFacts) {
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(lifetime) => facts.findings.push((
                Class::NeedsChange,
                format!(
                    "lifetime `{}` ties values to the caller's memory",
                    lifetime.lifetime
                ),
                "take and return owned values".to_string(),
            )),
            GenericParam::Type(param) => {
                let closure = param
                    .bounds
                    .iter()
                    .any(|bound| names_closure(&bound.to_token_stream().to_string()));
                if closure {
                    facts.findings.push((
                        Class::NeedsChange,
                        format!("takes a closure (`{}`)", param.ident),
                        "a closure cannot cross the network: pass the data it needs, or keep \
                         this step in the caller"
                            .to_string(),
                    ));
                } else {
                    facts.findings.push((
                        Class::NeedsChange,
                        format!("is generic over `{}`", param.ident),
                        "pick the concrete types callers use, one operation each".to_string(),
                    ));
                }
            }
            GenericParam::Const(param) => facts.findings.push((
                Class::NeedsChange,
                format!("has the const parameter `{}`", param.ident),
                "take the value as an argument".to_string(),
            )),
        }
    }
}

/// Walks one parameter's or the return type, recording findings and named types.
struct Walk<'f> {
    facts: &'f mut SignatureFacts,
    generic_names: &'f BTreeSet<String>,
    what: String,
    output: bool,
}

impl Walk<'_> {
    fn top(&mut self, ty: &Type) {
        if let Type::Reference(reference) = ty {
            // A borrowed transaction or handle is blocked as such; its borrow is beside the point.
            if let Some(last) = last_segment(&reference.elem)
                && (TRANSACTIONS.contains(&last.as_str()) || HANDLES.contains(&last.as_str()))
            {
                self.ty(&reference.elem);
                return;
            }
            let (finding, fix) = if self.output {
                (
                    format!("{} returns a borrow", self.what),
                    "return an owned value".to_string(),
                )
            } else if reference.mutability.is_some() {
                (
                    format!("{} lets the operation change the caller's value", self.what),
                    "take the value and return the changed one".to_string(),
                )
            } else {
                let owned = match &*reference.elem {
                    Type::Path(path) if path.path.is_ident("str") => "`String`".to_string(),
                    Type::Slice(slice) => format!("`Vec<{}>`", type_text(&slice.elem)),
                    other => format!("`{}` by value, or its id", type_text(other)),
                };
                (format!("{} borrows", self.what), format!("take {owned}"))
            };
            self.finding(Class::NeedsChange, finding, fix);
            self.ty(&reference.elem);
            return;
        }
        self.ty(ty);
    }

    fn ty(&mut self, ty: &Type) {
        match ty {
            Type::Reference(reference) => {
                self.finding(
                    Class::NeedsChange,
                    format!("{} holds a borrow", self.what),
                    "hold an owned value".to_string(),
                );
                self.ty(&reference.elem);
            }
            Type::Path(path) => self.path(path),
            Type::ImplTrait(imp) => {
                self.opaque(&imp.bounds.to_token_stream().to_string(), &type_text(ty));
            }
            Type::TraitObject(object) => {
                self.opaque(&object.bounds.to_token_stream().to_string(), &type_text(ty));
            }
            Type::FnPtr(_) => self.finding(
                Class::NeedsChange,
                format!("{} is a function pointer", self.what),
                "a function cannot cross the network: pass the data it works on".to_string(),
            ),
            Type::Ptr(_) => self.finding(
                Class::NeedsChange,
                format!("{} is a raw pointer", self.what),
                "pass the value it points to".to_string(),
            ),
            Type::Tuple(tuple) => tuple.elems.iter().for_each(|elem| self.ty(elem)),
            Type::Array(array) => self.ty(&array.elem),
            Type::Slice(slice) => self.ty(&slice.elem),
            Type::Paren(paren) => self.ty(&paren.elem),
            Type::Group(group) => self.ty(&group.elem),
            _ => {}
        }
    }

    fn path(&mut self, path: &syn::TypePath) {
        let Some(last) = path.path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        if path.qself.is_some() {
            self.finding(
                Class::NeedsChange,
                format!("{} names an associated type", self.what),
                "name the concrete type".to_string(),
            );
            return;
        }
        if TRANSACTIONS.contains(&name.as_str()) {
            self.finding(
                Class::Blocked,
                format!("{} is the caller's transaction", self.what),
                "a transaction cannot span the boundary: let the service commit its own \
                 work and the caller compensate on failure (a saga)"
                    .to_string(),
            );
            return;
        }
        if HANDLES.contains(&name.as_str()) || (self.output && CONNECTIONS.contains(&name.as_str()))
        {
            self.finding(
                Class::Blocked,
                format!(
                    "{} is a handle (`{name}`) to something in this process",
                    self.what
                ),
                "a handle cannot cross the network: pass the data, or keep this part in \
                 the monolith"
                    .to_string(),
            );
            return;
        }
        if name == "Arc" {
            self.finding(
                Class::NeedsChange,
                format!("{} shares memory (`Arc`)", self.what),
                "pass the value itself".to_string(),
            );
        } else if name == "Cow" {
            self.finding(
                Class::NeedsChange,
                format!("{} may borrow (`Cow`)", self.what),
                "use the owned type".to_string(),
            );
        } else if name.ends_with("Iter") || name == "Drain" || name == "Chars" {
            self.finding(
                Class::NeedsChange,
                format!("{} is an iterator (`{name}`)", self.what),
                "collect into a `Vec`".to_string(),
            );
            return;
        } else if path.path.segments.len() == 1 && self.generic_names.contains(&name) {
            return;
        } else if name == "Self"
            || (!CONTAINERS.contains(&name.as_str())
                && !SERIALISABLE.contains(&name.as_str())
                && name != "Result"
                && !name.ends_with("Result"))
        {
            self.facts.named_types.insert(name);
        }
        if let PathArguments::AngleBracketed(args) = &last.arguments {
            for arg in &args.args {
                match arg {
                    GenericArgument::Type(ty) => self.ty(ty),
                    GenericArgument::Lifetime(lifetime) if lifetime.ident != "static" => self
                        .finding(
                            Class::NeedsChange,
                            format!("{} carries the lifetime `{lifetime}`", self.what),
                            "use owned values".to_string(),
                        ),
                    _ => {}
                }
            }
        }
    }

    /// `impl ..` or `dyn ..`: `bounds` as tokens, `written` as the code writes it.
    fn opaque(&mut self, bounds: &str, written: &str) {
        let closure = names_closure(bounds);
        let iterator = bounds.contains("Iterator") || bounds.contains("Stream");
        let (what, fix) = if closure {
            (
                format!("{} is a closure (`{written}`)", self.what),
                "a closure cannot cross the network: pass the data it needs".to_string(),
            )
        } else if iterator {
            (
                format!("{} is an iterator (`{written}`)", self.what),
                "collect into a `Vec` (or page through it)".to_string(),
            )
        } else {
            (
                format!("{} is `{written}`", self.what),
                "name a concrete type".to_string(),
            )
        };
        self.finding(Class::NeedsChange, what, fix);
    }

    fn finding(&mut self, class: Class, what: String, fix: String) {
        self.facts.findings.push((class, what, fix));
    }
}

/// Whether trait bounds, as tokens, hold a closure trait (`Fn(..)`, `FnMut(..)`, `FnOnce(..)`).
fn names_closure(bounds: &str) -> bool {
    ["Fn (", "FnMut (", "FnOnce (", "Fn(", "FnMut(", "FnOnce("]
        .iter()
        .any(|fun| bounds.contains(fun))
}

/// `T` of `Result<T, E>`, `AppResult<T>` and the like; the type itself otherwise.
fn success_type(ty: &Type) -> Option<&Type> {
    if let Type::Path(path) = ty
        && let Some(last) = path.path.segments.last()
        && last.ident.to_string().ends_with("Result")
        && let PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(GenericArgument::Type(ok)) = args.args.first()
    {
        return Some(ok);
    }
    Some(ty)
}

fn peel_reference(ty: &Type) -> &Type {
    match ty {
        Type::Reference(reference) => peel_reference(&reference.elem),
        other => other,
    }
}

fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|seg| seg.ident.to_string()),
        _ => None,
    }
}

/// A parameter's name: its binding (`mut` dropped), the one binding a destructuring
/// pattern makes (`Json(input)` gives `input`), else `arg` and its position.
pub(crate) fn pattern_name(pat: &syn::Pat, idx: usize) -> String {
    struct Bindings(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Bindings {
        fn visit_pat_ident(&mut self, node: &'ast syn::PatIdent) {
            self.0.push(node.ident.to_string());
            syn::visit::visit_pat_ident(self, node);
        }
    }
    let mut bindings = Bindings(Vec::new());
    syn::visit::Visit::visit_pat(&mut bindings, pat);
    match bindings.0.as_slice() {
        [one] if one != "self" => one.clone(),
        _ => format!("arg{idx}"),
    }
}

/// Findings and named types of a field's type (or an alias's target), `what` naming it.
/// `generic_names` are the type parameters of the type that holds the field.
pub(crate) fn read_field(
    ty: &Type,
    what: String,
    generic_names: &BTreeSet<String>,
) -> SignatureFacts {
    let mut facts = SignatureFacts::default();
    let mut walk = Walk {
        facts: &mut facts,
        generic_names,
        what,
        output: false,
    };
    walk.ty(ty);
    facts
}
