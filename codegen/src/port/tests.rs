//! Signature reading on its own: what crosses, what is supplied, and how types are written.

use super::Class;
use super::signature::{read_signature, type_text};

fn facts(source: &str) -> super::signature::SignatureFacts {
    let item: syn::ItemFn = syn::parse_str(source).expect("test function parses");
    read_signature(&item.sig)
}

#[test]
fn connections_are_supplied_and_a_transaction_blocks() {
    let facts = facts(
        "async fn place(pool: &PgPool, tx: &mut sqlx::Transaction<'_, Postgres>, ids: Vec<Uuid>) -> Result<Option<Order>, AppError> {}",
    );
    assert_eq!(facts.supplied, ["pool"]);
    assert!(facts.is_async);
    assert_eq!(
        facts.inputs,
        [
            (
                "tx".to_string(),
                "&mut sqlx::Transaction<'_, Postgres>".to_string()
            ),
            ("ids".to_string(), "Vec<Uuid>".to_string()),
        ]
    );
    assert_eq!(facts.output.as_deref(), Some("Option<Order>"));
    let classes: Vec<Class> = facts.findings.iter().map(|finding| finding.0).collect();
    assert_eq!(classes, [Class::Blocked]);
    let named: Vec<&str> = facts.named_types.iter().map(String::as_str).collect();
    assert_eq!(named, ["AppError", "Order"]);
}

#[test]
fn an_alias_named_result_gives_its_first_argument_and_unit_gives_none() {
    assert_eq!(
        facts("fn get(id: i64) -> AppResult<Product> {}")
            .output
            .as_deref(),
        Some("Product")
    );
    assert_eq!(facts("fn clear(id: i64) -> AppResult<()> {}").output, None);
    assert_eq!(facts("fn clear(id: i64) {}").output, None);
    assert!(
        facts("fn get(id: i64, name: String) -> u64 {}")
            .findings
            .is_empty()
    );
}

#[test]
fn handles_inside_containers_block_and_arc_needs_change() {
    let facts = facts("fn watch(updates: Vec<Receiver<Event>>, shared: Arc<Config>) {}");
    let findings: Vec<(Class, &str)> = facts
        .findings
        .iter()
        .map(|(class, what, _)| (*class, what.as_str()))
        .collect();
    assert_eq!(
        findings,
        [
            (
                Class::Blocked,
                "parameter `updates: Vec<Receiver<Event>>` is a handle (`Receiver`) to something in this process"
            ),
            (
                Class::NeedsChange,
                "parameter `shared: Arc<Config>` shares memory (`Arc`)"
            ),
        ]
    );
}

#[test]
fn types_are_written_as_rustfmt_would() {
    let ty: syn::Type = syn::parse_str("HashMap < String , Vec < & 'a  [u8] > >").unwrap();
    assert_eq!(type_text(&ty), "HashMap<String, Vec<&'a [u8]>>");
    let ty: syn::Type = syn::parse_str("impl Fn ( & Line ) -> bool").unwrap();
    assert_eq!(type_text(&ty), "impl Fn(&Line) -> bool");
}

#[test]
fn a_destructured_parameter_takes_its_one_binding_or_its_position() {
    let facts = facts("fn f(Json(input): Json<NewItem>, (a, b): (i32, i32), mut count: u8) {}");
    let names: Vec<&str> = facts.inputs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["input", "arg1", "count"]);
}
