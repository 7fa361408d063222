//! Schema from SQL files: which files hold it, tables, foreign keys of every form, lines, and
//! what happens to statements that do not parse.

use super::{check, check_located, check_schema, check_schema_files};

#[test]
fn schema_files_are_migrations_and_diesel_up_files_never_down_files() {
    check_schema_files(
        &[
            "migrations/0001_init.sql",
            "migrations/20240101000000_init.up.sql",
            "migrations/20240101000000_init.down.sql",
            "crates/db/migrations/2024-01-01-000000_init/up.sql",
            "crates/db/migrations/2024-01-01-000000_init/down.sql",
            "db/migrations/nested/deeper/0002.SQL",
            "somewhere/up.sql",
            "somewhere/down.sql",
            "seed/demo.sql",
            "schema.sql",
            "migrations/README.md",
            "migrations.sql",
            "src/migrations.rs",
        ],
        "crates/db/migrations/2024-01-01-000000_init/up.sql
         db/migrations/nested/deeper/0002.SQL
         migrations/0001_init.sql
         migrations/20240101000000_init.up.sql
         somewhere/up.sql",
    );
}

#[test]
fn create_table_is_at_the_line_where_it_starts() {
    check_schema(
        "-- Customers.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY
);

/* Addresses. */
CREATE TABLE IF NOT EXISTS public.addresses (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX addresses_customer ON addresses (customer_id);",
        "table addresses @ schema.sql:7
         table customers @ schema.sql:2
         fk addresses.customer_id -> customers @ schema.sql:7",
    );
}

#[test]
fn table_level_and_composite_foreign_keys_give_one_entry_per_column() {
    check_schema(
        "CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    warehouse_code TEXT NOT NULL,
    warehouse_region TEXT NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT shipments_warehouse FOREIGN KEY (warehouse_code, warehouse_region)
        REFERENCES warehouses (code, region)
);",
        "table shipments @ schema.sql:1
         fk shipments.order_id -> orders @ schema.sql:1
         fk shipments.warehouse_code -> warehouses @ schema.sql:1
         fk shipments.warehouse_region -> warehouses @ schema.sql:1",
    );
}

#[test]
fn alter_table_adds_foreign_keys() {
    check_schema(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);
ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES people (id);
ALTER TABLE orders ADD COLUMN coupon_id INTEGER REFERENCES coupons (id);",
        "table orders @ schema.sql:1
         fk orders.coupon_id -> coupons @ schema.sql:4
         fk orders.customer_id -> customers @ schema.sql:2
         fk orders.customer_id -> people @ schema.sql:3",
    );
}

#[test]
fn dialect_specific_schema_parses() {
    check_schema(
        "CREATE TABLE sqlite_things (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE);
CREATE TABLE pg_things (id BIGSERIAL PRIMARY KEY, tags TEXT[] NOT NULL DEFAULT '{}', data JSONB, created TIMESTAMPTZ DEFAULT now());
CREATE TABLE `mysql_things` (`id` INT UNSIGNED NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE \"Quoted\" (id INTEGER);",
        "table Quoted @ schema.sql:4
         table mysql_things @ schema.sql:3
         table pg_things @ schema.sql:2
         table sqlite_things @ schema.sql:1",
    );
}

#[test]
fn postgres_function_bodies_do_not_split_statements() {
    check_schema(
        "CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TABLE after_function (id INTEGER);",
        "table after_function @ schema.sql:7",
    );
}

#[test]
fn trigger_bodies_do_not_split_statements() {
    check_schema(
        "CREATE TABLE products (id INTEGER PRIMARY KEY, updated_at TEXT);
CREATE TRIGGER products_touch AFTER UPDATE ON products FOR EACH ROW
BEGIN
    UPDATE products SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
    UPDATE products SET updated_at = CURRENT_TIMESTAMP WHERE id = OLD.id;
END;
CREATE TABLE after_trigger (id INTEGER);",
        "table after_trigger @ schema.sql:7
         table products @ schema.sql:1",
    );
}

#[test]
fn a_trigger_the_parser_does_not_know_is_one_warning_and_the_rest_goes_on() {
    // FIXME: sqlparser 0.59 wants `FOR EACH ROW`, which SQLite lets you leave out.
    check_schema(
        "CREATE TABLE products (id INTEGER PRIMARY KEY, updated_at TEXT);
CREATE TRIGGER products_touch AFTER UPDATE ON products
BEGIN
    UPDATE products SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE TABLE after_trigger (id INTEGER);",
        "table after_trigger @ schema.sql:6
         table products @ schema.sql:1
         warning schema.sql:2 cannot parse SQL statement `CREATE TRIGGER products_touch AFTER UPDATE ON products BEGIN...`",
    );
}

#[test]
fn a_schema_statement_that_does_not_parse_is_a_warning_and_the_rest_goes_on() {
    check_schema(
        "CREATE TABLE first (id INTEGER);
CREATE TABLE broken (id INTEGER,,);
CREATE TABLE last (id INTEGER, first_id INTEGER REFERENCES first (id));",
        "table first @ schema.sql:1
         table last @ schema.sql:3
         fk last.first_id -> first @ schema.sql:3
         warning schema.sql:2 cannot parse SQL statement `CREATE TABLE broken (id INTEGER,,)`",
    );
}

#[test]
fn seed_data_in_a_migration_is_not_an_access() {
    check(
        "//- migrations/0001_init.sql
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO tags (name) VALUES ('coffee'), ('tea');",
        "table tags",
    );
}

#[test]
fn a_table_defined_twice_keeps_its_first_definition_and_keys_are_not_duplicated() {
    check_located(
        "//- src/schema.rs
diesel::table! {
    users (id) {
        id -> Integer,
    }
}
diesel::table! {
    posts (id) {
        id -> Integer,
        user_id -> Integer,
    }
}
diesel::joinable!(posts -> users (user_id));
//- migrations/2024-01-01-000000_init/up.sql
CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
//- migrations/2024-01-01-000000_init/down.sql
DROP TABLE posts;
DROP TABLE users;
CREATE TABLE never (id INTEGER);
//- src/db.rs
pub fn setup(conn: &Connection) {
    conn.execute_batch(\"CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY)\").unwrap();
}",
        "table posts @ migrations/2024-01-01-000000_init/up.sql:2
         table users @ migrations/2024-01-01-000000_init/up.sql:1
         fk posts.user_id -> users @ migrations/2024-01-01-000000_init/up.sql:2",
    );
}

#[test]
fn tables_accessed_but_defined_nowhere_are_only_accesses() {
    check(
        "//- migrations/0001.sql
CREATE TABLE known (id INTEGER);
//- src/repo.rs
pub fn load(conn: &Connection) {
    conn.query_row(\"SELECT * FROM known JOIN unknown ON unknown.id = known.id\", [], |row| row.get(0));
}",
        "table known
         read known crate::repo
         read unknown crate::repo",
    );
}

#[test]
fn windows_line_ends_and_multibyte_text_keep_lines_and_statement_bounds() {
    check_schema(
        "-- Café ☕ menu\r\nCREATE TABLE drinks (name TEXT DEFAULT '☕☕'); CREATE TABLE sizes (id INT);\r\n\r\nCREATE TABLE \"Größen\" (id INT);",
        "table Größen @ schema.sql:4
         table drinks @ schema.sql:2
         table sizes @ schema.sql:2",
    );
}
