//! The in-process adapter end to end: a copy of the example monolith follows `MIGRATION.md`
//! (declares the catalog's `monolith/local.rs`, depends on the client, supplies its database);
//! the catalog, moved with `--move`, runs as a service whose operations go through the same
//! adapter over the moved code. The monolith's `Local`, its own function and the service over
//! HTTP must give the same answers, and `Switch` moves the operation from one to the other.

use std::path::Path;

use crate::support::{
    KillOnDrop, cargo_test, copy_tree, ficus_ok, generated_cargo, start_listening,
};

/// What a person writes to supply the catalog's functions from the monolith's database
/// (`{module}`: where the adapter is declared), and to map its errors as its routes do.
pub(crate) const SUPPLY: &str = r#"
impl {module}::Supply for crate::app::AppState {
    fn connection<R: Send + 'static>(
        &self,
        call: impl FnOnce(&rusqlite::Connection) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, catalog_client::ApiError>> + Send {
        let db = self.db.clone();
        async move {
            db.call(move |conn| Ok(call(conn)))
                .await
                .map_err(|error| catalog_client::ApiError::Unavailable { message: error.to_string() })
        }
    }

    fn failure<E: std::fmt::Display + 'static>(
        &self,
        _operation: &'static str,
        error: E,
    ) -> catalog_client::ApiError {
        use crate::common::AppError;
        let message = error.to_string();
        let status = match (&error as &dyn std::any::Any).downcast_ref::<AppError>() {
            Some(AppError::NotFound(_)) => 404,
            Some(AppError::BadRequest(_)) => 400,
            Some(AppError::Conflict(_)) => 409,
            _ => return catalog_client::ApiError::Internal { message },
        };
        catalog_client::ApiError::Rejected { status, message }
    }
}
"#;

/// The service's `state.rs`: its own database, and the same supply.
const SERVICE_STATE: &str = r#"//! The moved code's state, from the service's configuration.

/// The shop's database, at `CATALOG_DATABASE`.
pub fn build() -> Result<crate::app::AppState, Box<dyn std::error::Error + Send + Sync>> {
    let path = std::env::var("CATALOG_DATABASE")?;
    let db = crate::db::Db::open(std::path::Path::new(&path), true)?;
    Ok(crate::app::AppState::new(db))
}
"#;

/// A test in the monolith's copy: its `Local` against its own function and the service.
const MONOLITH_TEST: &str = r#"
use catalog_client::{ApiError, CatalogApi, HttpClient, Switch};
use shop_monolith::catalog_local;

#[tokio::test(flavor = "multi_thread")]
async fn in_process_and_over_http_answer_alike() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_monolith::Db::open(&dir.path().join("shop.db"), true).unwrap();
    let state = shop_monolith::AppState::new(db.clone());
    let local = catalog_local::local(state.clone());
    let remote = HttpClient::from_env();

    let mut found = 0;
    for id in [1, 2, 3, 4, 999, -1] {
        let here = local.product_summary(id).await;
        let there = remote.product_summary(id).await;
        assert_eq!(here, there, "product {id}: in process and over HTTP differ");
        // `Local` answers what the monolith's own function does.
        let direct = db
            .call(move |conn| Ok(shop_monolith::catalog::product_summary(conn, id)))
            .await
            .unwrap();
        match (direct, &here) {
            (Ok(direct), Ok(summary)) => {
                found += 1;
                assert_eq!(serde_json::to_value(direct).unwrap(), serde_json::to_value(summary).unwrap());
            }
            (Err(shop_monolith::common::AppError::NotFound(_)), Err(ApiError::Rejected { status: 404, .. })) => {}
            (direct, here) => panic!("product {id}: the function gives {direct:?}, Local {here:?}"),
        }
    }
    assert_eq!(found, 4, "the seeded products were not found");

    // The switch: in process until the operation is named remote, then the service.
    let switch = Switch::new(catalog_local::local(state.clone()), HttpClient::new("http://127.0.0.1:9"));
    assert!(switch.product_summary(1).await.is_ok(), "in process needs no service");
    let switch = switch.remote("product_summary").unwrap();
    assert!(matches!(switch.product_summary(1).await, Err(ApiError::Unavailable { .. })));
    let switch = Switch::new(catalog_local::local(state), HttpClient::from_env())
        .remote("product_summary")
        .unwrap();
    assert_eq!(switch.product_summary(2).await, local.product_summary(2).await);
}
"#;

#[test]
fn the_monolith_calls_its_own_code_in_process_and_the_moved_service_answers_alike() {
    let work = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shop = work.path().join("shop");
    copy_tree(&repo.join("examples/shop-monolith"), &shop, &[]);
    std::fs::write(work.path().join("Cargo.toml"), workspace_manifest(repo)).unwrap();
    std::fs::copy(repo.join("Cargo.lock"), work.path().join("Cargo.lock")).unwrap();

    ficus_ok(
        &["plan", "shop", "--plan", "ficus.toml", "--no-report"],
        work.path(),
    );
    ficus_ok(
        &["generate", "catalog", "--plan", "ficus.toml", "--move"],
        work.path(),
    );
    let out = work.path().join("services/catalog");
    let adapter = std::fs::read_to_string(out.join("monolith/local.rs")).unwrap();
    assert!(
        adapter.contains("crate::catalog::service::product_summary("),
        "{adapter}"
    );

    // The service: its state as a person writes it, the same supply.
    let service_state = format!(
        "{SERVICE_STATE}{}",
        SUPPLY.replace("{module}", "crate::ficus_local")
    );
    std::fs::write(out.join("catalog-service/src/state.rs"), service_state).unwrap();
    cargo_test(&out, "generated-local");

    // The monolith, as MIGRATION.md says.
    let migration = std::fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    let declaration = quoted_after(&migration, "declare it:\n  `");
    assert_eq!(
        declaration,
        r#"#[path = "../../services/catalog/monolith/local.rs"] pub mod catalog_local;"#
    );
    let dependency = quoted_after(&migration, "depend on `");
    assert_eq!(
        dependency,
        r#"catalog-client = { path = "../services/catalog/catalog-client" }"#
    );
    include_adapter(
        &shop,
        declaration,
        dependency,
        (
            "catalog_supply",
            &SUPPLY.replace("{module}", "crate::catalog_local"),
        ),
        ("catalog_in_process", MONOLITH_TEST),
    );

    let binary =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-local/debug/catalog-service");
    let (mut service, port) = start_listening(
        std::process::Command::new(&binary)
            .env("CATALOG_ADDR", "127.0.0.1:0")
            .env("CATALOG_DATABASE", work.path().join("service.db")),
    );
    let guard = KillOnDrop(service.id());
    let output = generated_cargo(&shop, "generated-local")
        .args([
            "test",
            "--offline",
            "--quiet",
            "--test",
            "catalog_in_process",
        ])
        .env("CATALOG_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the monolith with the adapter does not build, or answers differently:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    service.kill().unwrap();
    service.wait().unwrap();
    std::mem::forget(guard);
}

/// The text between the backticks that follow `marker`.
fn quoted_after<'t>(text: &'t str, marker: &str) -> &'t str {
    let start = text
        .find(marker)
        .map(|at| at + marker.len())
        .unwrap_or_else(|| panic!("no `{marker}` in:\n{text}"));
    let rest = &text[start..];
    &rest[..rest.find('`').expect("a closing backtick")]
}

/// A workspace holding only the copy at `shop`, with the repository's shared package
/// settings, dependency versions (not its own crates) and lints.
fn workspace_manifest(repo: &Path) -> String {
    let root = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let mut manifest = String::from("[workspace]\nresolver = \"3\"\nmembers = [\"shop\"]\n\n");
    let mut inside = false;
    for line in root.lines() {
        if line.starts_with('[') {
            inside = line.starts_with("[workspace.");
        }
        if inside && !line.contains("path = \"") {
            manifest.push_str(line);
            manifest.push('\n');
        }
    }
    manifest
}

/// The fixture's supply: a lent connection, a lent mutable one, a handed-over pool, and its
/// errors told apart.
const FIXTURE_SUPPLY: &str = r#"
#[derive(Clone)]
pub struct Held(pub crate::db::DbPool);

impl crate::accounts_local::Supply for Held {
    fn connection<R: Send + 'static>(
        &self,
        call: impl FnOnce(&crate::db::Connection) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, accounts_client::ApiError>> + Send {
        let pool = self.0.clone();
        async move { Ok(pool.with(|conn| call(conn))) }
    }

    fn connection_mut<R: Send + 'static>(
        &self,
        call: impl FnOnce(&mut crate::db::Connection) -> R + Send + 'static,
    ) -> impl std::future::Future<Output = Result<R, accounts_client::ApiError>> + Send {
        let pool = self.0.clone();
        async move { Ok(pool.with(call)) }
    }

    fn db_pool(
        &self,
    ) -> impl std::future::Future<Output = Result<crate::db::DbPool, accounts_client::ApiError>> + Send {
        let pool = self.0.clone();
        async move { Ok(pool) }
    }

    fn failure<E: std::fmt::Display + 'static>(
        &self,
        _operation: &'static str,
        error: E,
    ) -> accounts_client::ApiError {
        use crate::accounts::AccountError;
        let status = match (&error as &dyn std::any::Any).downcast_ref::<AccountError>() {
            Some(AccountError::NotFound(_)) => 404,
            Some(AccountError::Insufficient { .. }) => 409,
            None => 500,
        };
        accounts_client::ApiError::Rejected { status, message: error.to_string() }
    }
}
"#;

/// Each operation through `Local`, against the fixture's own functions.
const FIXTURE_TEST: &str = r#"
use accounts_client::{AccountsApi, ApiError, Transfer};
use in_process::accounts;
use in_process::accounts_supply::Held;

#[tokio::test]
async fn every_form_answers_as_the_function_does() {
    let pool = in_process::db::seeded();
    let local = in_process::accounts_local::local(Held(pool.clone()));

    let direct = pool.with(|conn| accounts::account(conn, 1)).unwrap();
    let through = local.account(1).await.unwrap();
    assert_eq!(serde_json::to_value(&direct).unwrap(), serde_json::to_value(&through).unwrap());
    assert!(matches!(local.account(7).await, Err(ApiError::Rejected { status: 404, .. })));

    local.transfer(Transfer { from: 1, to: 2, amount: 50 }).await.unwrap();
    assert_eq!(pool.with(|conn| conn.balances.clone()).into_iter().collect::<Vec<_>>(), [(1, 45), (2, 70)]);
    assert!(matches!(
        local.transfer(Transfer { from: 2, to: 1, amount: 500 }).await,
        Err(ApiError::Rejected { status: 409, message }) if message == "account 2 lacks 480"
    ));

    assert_eq!(local.owners().await.unwrap(), accounts::owners(&pool).await);
    assert_eq!(local.fee(120).await.unwrap(), 12);
    assert_eq!(local.opened("carol".to_string()).await.unwrap().owner, "carol");
    // Behind a private module: not called from the adapter, so not given.
    assert!(matches!(local.limit("ada".to_string()).await, Err(ApiError::Internal { .. })));
}
"#;

#[test]
fn the_adapter_calls_each_form_of_operation_as_the_monolith_does() {
    let work = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let app = work.path().join("app");
    copy_tree(&repo.join("codegen/tests/fixtures/in-process"), &app, &[]);
    ficus_ok(
        &[
            "generate",
            "accounts",
            "--plan",
            "app/ficus.toml",
            "--out",
            "accounts",
        ],
        work.path(),
    );
    let migration = std::fs::read_to_string(work.path().join("accounts/MIGRATION.md")).unwrap();
    assert!(
        migration.contains(
            "- [ ] **not in process**: `in_process::accounts::rules::limit` (src/accounts/rules.rs:3): module `rules` is private to `in_process::accounts` (src/accounts.rs)"
        ),
        "{migration}"
    );
    let declaration = quoted_after(&migration, "declare it:\n  `");
    let dependency = quoted_after(&migration, "depend on `");
    assert_eq!(
        dependency,
        r#"accounts-client = { path = "../accounts/accounts-client" }"#
    );
    include_adapter(
        &app,
        declaration,
        dependency,
        ("accounts_supply", FIXTURE_SUPPLY),
        ("in_process", FIXTURE_TEST),
    );
    cargo_test(&app, "generated-local");
}

/// Does to the crate at `dir` what `MIGRATION.md` asks: declares the adapter in `src/lib.rs`
/// and depends on the client; then adds the person's `supply` module and a `test` file
/// (each a name and its text).
fn include_adapter(
    dir: &Path,
    declaration: &str,
    dependency: &str,
    supply: (&str, &str),
    test: (&str, &str),
) {
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("{lib}\n{declaration}\npub mod {};\n", supply.0),
    )
    .unwrap();
    std::fs::write(dir.join(format!("src/{}.rs", supply.0)), supply.1).unwrap();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        manifest.replace(
            "[dependencies]\n",
            &format!("[dependencies]\n{dependency}\n"),
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join(format!("tests/{}.rs", test.0)), test.1).unwrap();
}
