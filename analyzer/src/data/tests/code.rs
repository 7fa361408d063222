//! SQL as Rust code writes it: database methods, sqlx macros and functions, `format!`,
//! consts, stray literals, and where each access is counted and attributed.

use super::{check, check_located};

#[test]
fn rusqlite_methods_with_plain_and_raw_literals() {
    check_located(
        r###"//- src/catalog/repository.rs
use rusqlite::{Connection, params};

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM products WHERE id = ?1", [id], |row| row.get(0))
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        r#"SELECT p.name FROM products p
           JOIN categories c ON c.id = p.category_id"#,
    )?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    rows.collect()
}

pub fn rename(conn: &Connection, id: i64, name: &str) -> rusqlite::Result<usize> {
    conn.execute("UPDATE products SET name = ?2 WHERE id = ?1", params![id, name])
}
"###,
        "read categories crate::catalog::repository @ src/catalog/repository.rs:9
         read products crate::catalog::repository x2 @ src/catalog/repository.rs:4
         write products crate::catalog::repository @ src/catalog/repository.rs:17",
    );
}

#[test]
fn postgres_client_methods() {
    check(
        r#"//- src/users.rs
pub async fn run(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, team_id INT REFERENCES teams (id))").await?;
    let row = client.query_one("SELECT COUNT(*) FROM users WHERE team_id = $1", &[&1]).await?;
    let rows = client.query_opt("SELECT * FROM teams WHERE id = $1", &[&1]).await?;
    let stmt = client.prepare_cached("DELETE FROM users WHERE id = $1").await?;
    client.query("SELECT * FROM audit", &[]).await?;
    Ok(())
}
"#,
        "table users
         fk users.team_id -> teams
         read audit crate::users
         read teams crate::users
         read users crate::users
         write users crate::users",
    );
}

#[test]
fn sqlx_macros_take_sql_in_their_first_or_second_argument() {
    check_located(
        r##"//- src/accounts.rs
pub async fn load(pool: &sqlx::PgPool, id: i64) -> sqlx::Result<()> {
    let account = sqlx::query_as!(Account, "SELECT id, owner FROM accounts WHERE id = $1", id)
        .fetch_one(pool)
        .await?;
    let count = sqlx::query_scalar!("SELECT COUNT(*) FROM ledger WHERE account_id = $1", id)
        .fetch_one(pool)
        .await?;
    sqlx::query!(
        r#"UPDATE accounts SET balance = balance + $1 WHERE id = $2"#,
        10,
        id
    )
    .execute(pool)
    .await?;
    let report = sqlx::query_file!("queries/report.sql").fetch_all(pool).await?;
    Ok(())
}
"##,
        "read accounts crate::accounts @ src/accounts.rs:2
         read ledger crate::accounts @ src/accounts.rs:5
         write accounts crate::accounts @ src/accounts.rs:9
         info src/accounts.rs:15 `query_file!` reads SQL from a file: its tables are not counted",
    );
}

#[test]
fn sqlx_functions_take_sql_in_their_first_argument() {
    check(
        r#"//- src/repo.rs
use sqlx::{query, query_as, query_scalar};

pub async fn run(pool: &sqlx::SqlitePool) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO events (kind) VALUES (?)").bind("x").execute(pool).await?;
    let users: Vec<User> = query_as::<_, User>("SELECT * FROM users").fetch_all(pool).await?;
    let n: i64 = query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(pool).await?;
    let rows = sqlx::query_as::<_, (i64,)>(&format!("SELECT id FROM {}", "archive")).fetch_all(pool).await?;
    query("DELETE FROM sessions WHERE expired").execute(pool).await?;
    Ok(())
}
"#,
        "read archive crate::repo
         read sessions crate::repo
         read users crate::repo
         write events crate::repo
         write sessions crate::repo",
    );
}

#[test]
fn sqlx_unparseable_sql_in_a_macro_is_a_warning() {
    check(
        r#"//- src/repo.rs
pub async fn run(pool: &sqlx::PgPool) {
    sqlx::query!("SELEC id FROM users").fetch_all(pool).await;
    sqlx::query!("SELECT id FROM users").fetch_all(pool).await;
}
"#,
        "read users crate::repo
         warning src/repo.rs:2 cannot parse SQL statement `SELEC id FROM users`",
    );
}

#[test]
fn format_arguments_are_filled_from_same_file_consts_or_stand_ins() {
    check(
        r#"//- src/orders.rs
const ORDER_COLUMNS: &str = "id, customer_id, status";
const ORDERS: &str = "orders";

pub fn find(conn: &Connection, id: i64) {
    conn.query_row(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"), [id], map);
    conn.query_row(&format!("SELECT {} FROM {ORDERS} WHERE id = ?1", ORDER_COLUMNS), [id], map);
    conn.query_row(&format!("SELECT {cols} FROM items WHERE id = {id}", cols = columns()), [], map);
    conn.execute(format!("DELETE FROM {table} WHERE id = ?1").as_str(), [id]);
}
"#,
        "read items crate::orders
         read orders crate::orders x2",
    );
}

#[test]
fn format_template_that_starts_with_a_const_uses_its_text() {
    check_located(
        r#"//- src/payments/repository.rs
const PAYMENT_SELECT: &str =
    "SELECT p.id, COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = p.id), 0)
     FROM payments p";

pub fn find(conn: &Connection, id: i64) {
    conn.query_row(&format!("{PAYMENT_SELECT} WHERE p.id = ?1"), [id], map);
}

pub fn for_order(conn: &Connection, order_id: i64) {
    let mut stmt = conn.prepare(&format!("{PAYMENT_SELECT} WHERE p.order_id = ?1")).unwrap();
}
"#,
        "read payments crate::payments::repository x2 @ src/payments/repository.rs:6
         read refunds crate::payments::repository x2 @ src/payments/repository.rs:6",
    );
}

#[test]
fn consts_with_sql_count_where_they_are_written() {
    check_located(
        r#"//- src/repo.rs
pub const FIND_USER: &str = "SELECT * FROM users WHERE id = ?1";

pub static SCHEMA: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
";

pub fn find(conn: &Connection, id: i64) {
    conn.query_row(FIND_USER, [id], map);
}

impl Repo {
    const DELETE_POST: &'static str = "DELETE FROM posts WHERE id = ?1";
}
"#,
        "table posts @ src/repo.rs:5
         table users @ src/repo.rs:4
         fk posts.user_id -> users @ src/repo.rs:5
         read users crate::repo @ src/repo.rs:1
         write posts crate::repo @ src/repo.rs:13",
    );
}

#[test]
fn literals_that_start_like_sql_count_anywhere_when_they_parse() {
    check(
        r#"//- src/report.rs
pub fn queries() -> Vec<&'static str> {
    let sql = "  select id from invoices where paid = 0";
    vec![sql, "WITH x AS (SELECT * FROM credit_notes) SELECT * FROM x"]
}
"#,
        "read credit_notes crate::report
         read invoices crate::report",
    );
}

#[test]
fn prose_that_starts_like_sql_is_ignored_without_a_warning() {
    check(
        r#"//- src/ui.rs
pub fn labels() -> [&'static str; 4] {
    ["Select a product", "Update your profile", "Delete this item?", "With love, the team"]
}
pub fn message() -> String {
    format!("Update failed for {}", "you")
}
"#,
        "",
    );
}

#[test]
fn doc_comments_and_attributes_are_never_sql() {
    check(
        r#"//- src/repo.rs
/// SELECT * FROM users
#[doc = "DELETE FROM users"]
pub fn noop() {}
"#,
        "",
    );
}

#[test]
fn sql_inside_other_macros_counts() {
    check(
        r#"//- src/repo.rs
pub fn check(conn: &Connection) {
    assert_eq!(conn.execute("DELETE FROM carts WHERE id = 1", []).unwrap(), 1);
    tracing::info!(%user, "SELECT * FROM audit_trail");
    let queries = vec!["SELECT * FROM wishlists"; 2];
}
"#,
        "read audit_trail crate::repo
         read wishlists crate::repo
         write carts crate::repo",
    );
}

#[test]
fn macro_bodies_are_read_after_wide_characters_and_in_files_that_open_with_a_mark_or_shebang() {
    // Spans count characters, the text is bytes: a macro after `é` on its line must still be
    // read whole. syn drops a byte order mark and a `#!` line before parsing, so there the
    // body's tokens are read instead of the text; every file must give the same facts.
    let project = concat!(
        "//- src/wide.rs\n",
        "pub fn log(conn: &Connection) { let café = \"crème\"; tracing::info!(%café, \"SELECT * FROM wide_log\"); }\n",
        "//- src/marked.rs\n",
        "\u{feff}pub fn f() { let q = vec![\"SELECT * FROM marked\"; 1]; }\n",
        "//- src/script.rs\n",
        "#!/usr/bin/env run-cargo-script\n",
        "pub fn g() { let q = vec![\"DELETE FROM scripted\"]; }\n",
        "//- src/attributes.rs\n",
        "#![allow(dead_code)]\n",
        "pub fn h() { debug_assert!(ok, \"UPDATE attributed SET a = 1\"); }\n",
    );
    check(
        project,
        "read marked crate::marked
         read wide_log crate::wide
         write attributed crate::attributes
         write scripted crate::script",
    );
}

#[test]
fn statement_lines_inside_a_multi_line_literal_are_added_to_the_literal_line() {
    check_located(
        r#"//- src/db.rs
pub fn migrate(conn: &Connection) {
    conn.execute_batch(
        "CREATE TABLE a (id INTEGER);

         INSERT INTO a (id) VALUES (1);
         UPDATE a SET WHERE;",
    );
    conn.execute_batch("SELECT * FROM a; \
                        SELECT * FROM b; SELECT * FROM c WHERE;");
}
"#,
        "table a @ src/db.rs:3
         read a crate::db @ src/db.rs:8
         read b crate::db @ src/db.rs:8
         write a crate::db @ src/db.rs:5
         warning src/db.rs:6 cannot parse SQL statement `UPDATE a SET WHERE`
         warning src/db.rs:8 cannot parse SQL statement `SELECT * FROM c WHERE`",
    );
}

#[test]
fn accesses_are_attributed_to_inline_modules() {
    check(
        r#"//- src/orders/mod.rs
pub fn load(conn: &Connection) {
    conn.query_row("SELECT * FROM orders", [], map);
}

mod archive {
    pub fn move_old(conn: &Connection) {
        conn.execute("INSERT INTO archived_orders SELECT * FROM orders", []);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loads() {
        conn.execute("INSERT INTO orders (id) VALUES (1)", []);
    }
}
"#,
        "read orders crate::orders
         read orders crate::orders::archive
         write archived_orders crate::orders::archive
         write orders crate::orders::tests",
    );
}

#[test]
fn counts_and_first_place_per_module_table_and_mode() {
    check_located(
        r#"//- src/b.rs
pub fn two(conn: &Connection) {
    conn.execute("UPDATE stock SET n = n - 1", []);
    conn.execute("UPDATE stock SET n = n + 1", []);
}
//- src/a.rs
pub fn one(conn: &Connection) {
    conn.query_row("SELECT n FROM stock", [], map);
}
pub fn again(conn: &Connection) {
    conn.query_row("SELECT n FROM stock WHERE id = 2", [], map);
}
"#,
        "read stock crate::a x2 @ src/a.rs:2
         write stock crate::b x2 @ src/b.rs:2",
    );
}

#[test]
fn accesses_outside_every_module_tree_are_dropped_with_a_note() {
    check(
        r#"//- build/gen.rs
pub fn f(conn: &Connection) {
    conn.execute("DELETE FROM cache", []);
    conn.execute("DELETE FROM cache_entries", []);
}
"#,
        "info build/gen.rs:0 2 table accesses are in a file outside every module tree and are not attributed",
    );
}

#[test]
fn odd_rust_never_panics() {
    check(
        r#"//- src/odd.rs
macro_rules! sql { ($x:expr) => { "SELECT * FROM macro_rules_table" }; }
const EMPTY: &str = "";
const NOT_SQL: &str = "SELECT";
static BYTES: &[u8] = b"SELECT * FROM bytes";
pub fn f() {
    let _ = format!("{{SELECT}} {}", 1);
    let _ = format!("SELECT * FROM t WHERE a = {:>width$}", 1, width = 3);
    let _ = concat!("SELECT * FROM ", "concatenated", " WHERE id = ", 1);
    let _ = sql!(x);
    conn.execute("", []);
    conn.execute(r"", []);
    tokio::select! { _ = a => {}, _ = b => {} }
}
"#,
        "read concatenated crate::odd
         read macro_rules_table crate::odd
         read t crate::odd",
    );
}
