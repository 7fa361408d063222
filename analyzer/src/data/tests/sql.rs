//! What SQL statements read and write: modes, names, placeholders, statements that do not
//! parse.

use super::check_sql_access;

#[test]
fn select_reads_from_and_joins() {
    check_sql_access(
        "SELECT o.id, c.name FROM orders o
         JOIN customers c ON c.id = o.customer_id
         LEFT JOIN addresses AS a ON a.id = o.shipping_address_id",
        "read addresses crate::repo
         read customers crate::repo
         read orders crate::repo",
    );
}

#[test]
fn select_reads_subqueries_in_every_clause() {
    check_sql_access(
        "SELECT p.id, (SELECT COUNT(*) FROM reviews r WHERE r.product_id = p.id)
         FROM (SELECT * FROM products) p
         WHERE p.category_id IN (SELECT id FROM categories)
           AND EXISTS (SELECT 1 FROM stock_levels s WHERE s.product_id = p.id)
           AND COALESCE((SELECT MAX(price) FROM price_history), 0) > 1
         GROUP BY p.id
         HAVING COUNT(*) > (SELECT 1 FROM settings)",
        "read categories crate::repo
         read price_history crate::repo
         read products crate::repo
         read reviews crate::repo
         read settings crate::repo
         read stock_levels crate::repo",
    );
}

#[test]
fn cte_bodies_are_read_and_cte_names_are_not_tables() {
    check_sql_access(
        "WITH recent AS (SELECT * FROM orders WHERE created_at > ?1),
              big AS (SELECT customer_id FROM recent WHERE total_cents > 100)
         SELECT c.* FROM customers c JOIN big ON big.customer_id = c.id",
        "read customers crate::repo
         read orders crate::repo",
    );
}

#[test]
fn set_operations_read_both_sides() {
    check_sql_access(
        "SELECT email FROM customers UNION SELECT email FROM newsletter_subscribers",
        "read customers crate::repo
         read newsletter_subscribers crate::repo",
    );
}

#[test]
fn insert_writes_its_target_and_reads_its_source() {
    check_sql_access(
        "INSERT INTO order_archive (id, total) SELECT id, total_cents FROM orders WHERE status = 'done'",
        "read orders crate::repo
         write order_archive crate::repo",
    );
}

#[test]
fn insert_values_with_a_subquery_reads_it() {
    check_sql_access(
        "INSERT INTO audit_log (actor) VALUES ((SELECT name FROM users WHERE id = ?))",
        "read users crate::repo
         write audit_log crate::repo",
    );
}

#[test]
fn upsert_writes_its_target_only() {
    check_sql_access(
        "INSERT INTO stock_levels (product_id, on_hand) VALUES (?1, ?2)
         ON CONFLICT (product_id) DO UPDATE SET
             on_hand = excluded.on_hand,
             reorder_level = COALESCE(?3, stock_levels.reorder_level)",
        "write stock_levels crate::repo",
    );
}

#[test]
fn upsert_that_reads_in_its_update_reads_that_table() {
    check_sql_access(
        "INSERT INTO carts (customer_id) VALUES (?1)
         ON CONFLICT (customer_id) DO UPDATE SET updated_at = (SELECT now FROM clock)",
        "read clock crate::repo
         write carts crate::repo",
    );
}

#[test]
fn mysql_upsert_and_replace_write() {
    check_sql_access(
        "INSERT INTO counters (name, hits) VALUES (?, 1) ON DUPLICATE KEY UPDATE hits = hits + 1;
         REPLACE INTO sessions (id, data) VALUES (?, ?);
         INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
        "write counters crate::repo
         write sessions crate::repo
         write settings crate::repo",
    );
}

#[test]
fn update_writes_its_target_and_reads_from_and_subqueries() {
    check_sql_access(
        "UPDATE orders SET total_cents = (SELECT SUM(unit_price_cents) FROM order_items i WHERE i.order_id = orders.id)
         FROM customers c
         WHERE c.id = orders.customer_id AND c.id NOT IN (SELECT customer_id FROM blocked)",
        "read blocked crate::repo
         read customers crate::repo
         read order_items crate::repo
         write orders crate::repo",
    );
}

#[test]
fn delete_writes_its_target_and_reads_subqueries() {
    check_sql_access(
        "DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM carts WHERE customer_id = $1)",
        "read carts crate::repo
         write cart_items crate::repo",
    );
}

#[test]
fn mysql_multi_table_delete_writes_aliased_targets() {
    check_sql_access(
        "DELETE s FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE u.banned = 1",
        "read sessions crate::repo
         read users crate::repo
         write sessions crate::repo",
    );
}

#[test]
fn postgres_delete_using_reads_the_using_tables() {
    check_sql_access(
        "DELETE FROM sessions USING users WHERE users.id = sessions.user_id AND users.banned",
        "read users crate::repo
         write sessions crate::repo",
    );
}

#[test]
fn truncate_writes() {
    check_sql_access("TRUNCATE TABLE events", "write events crate::repo");
}

#[test]
fn table_names_drop_the_schema_and_lower_case_unquoted_names() {
    check_sql_access(
        r#"SELECT * FROM public.Users u JOIN "Orders" o ON o.user_id = u.id JOIN `Line_Items` l ON l.order_id = o.id"#,
        "read Line_Items crate::repo
         read Orders crate::repo
         read users crate::repo",
    );
}

#[test]
fn table_valued_functions_are_not_tables() {
    check_sql_access(
        "SELECT * FROM generate_series(1, 10) g JOIN products p ON p.id = g",
        "read products crate::repo",
    );
}

#[test]
fn every_placeholder_style_parses() {
    for (style, sql) in [
        ("?", "SELECT * FROM users WHERE id = ? AND name = ?"),
        ("?1", "SELECT * FROM users WHERE id = ?1 AND name = ?2"),
        ("$1", "SELECT * FROM users WHERE id = $1 AND name = $2"),
        (
            ":name",
            "SELECT * FROM users WHERE id = :id AND name = :name",
        ),
        ("@p", "SELECT * FROM users WHERE id = @p1 AND name = @name"),
        ("$name", "SELECT * FROM users WHERE id = $id"),
    ] {
        eprintln!("placeholder style {style}");
        check_sql_access(sql, "read users crate::repo");
    }
}

#[test]
fn placeholders_in_writes_parse() {
    check_sql_access(
        "INSERT INTO users (id, name) VALUES (:id, :name);
         UPDATE users SET name = @name WHERE id = @id;
         DELETE FROM users WHERE id = $1",
        "write users crate::repo x3",
    );
}

#[test]
fn each_statement_of_a_batch_counts() {
    check_sql_access(
        "INSERT INTO tags (name) VALUES ('a');
         INSERT INTO tags (name) VALUES ('b');
         SELECT * FROM tags;",
        "read tags crate::repo
         write tags crate::repo x2",
    );
}

#[test]
fn comments_and_semicolons_inside_strings_do_not_split_statements() {
    check_sql_access(
        "-- a comment; with a semicolon
         INSERT INTO notes (body) VALUES ('one; two'); /* three; */ SELECT * FROM notes",
        "read notes crate::repo
         write notes crate::repo",
    );
}

#[test]
fn a_statement_that_does_not_parse_is_a_warning_and_the_rest_goes_on() {
    check_sql_access(
        "INSERT INTO tags (name) VALUES ('a');
         UPDATE tags SET WHERE;
         DELETE FROM tags WHERE id = 1",
        "write tags crate::repo x2
         warning src/repo.rs:3 cannot parse SQL statement `UPDATE tags SET WHERE`",
    );
}

#[test]
fn session_statements_the_parser_does_not_know_are_notes_not_warnings() {
    check_sql_access(
        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA user_version = 3; DELETE FROM t",
        "write t crate::repo
         info src/repo.rs:2 cannot parse SQL statement `PRAGMA foreign_keys = ON`
         info src/repo.rs:2 cannot parse SQL statement `PRAGMA journal_mode = WAL`",
    );
}

#[test]
fn unterminated_quote_is_a_warning_not_a_panic() {
    check_sql_access(
        "SELECT * FROM tags WHERE name = 'oops",
        "warning src/repo.rs:2 cannot parse SQL statement `SELECT * FROM tags WHERE name = 'oops`",
    );
}

#[test]
fn a_very_long_condition_does_not_overflow_the_stack() {
    let conditions: Vec<String> = (0..3000).map(|idx| format!("id = {idx}")).collect();
    let sql = format!(
        "SELECT * FROM big WHERE {} OR id IN (SELECT id FROM small)",
        conditions.join(" OR ")
    );
    check_sql_access(&sql, "read big crate::repo\nread small crate::repo");
}

#[test]
fn deeply_nested_subqueries_are_a_warning_not_a_crash() {
    let depth = 500;
    let sql = format!(
        "SELECT * FROM {}t{}",
        "(SELECT * FROM ".repeat(depth),
        ")".repeat(depth)
    );
    check_sql_access(
        &sql,
        "warning src/repo.rs:2 cannot parse SQL statement `SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT * FROM (...`",
    );
}

#[test]
fn deep_expressions_without_parentheses_do_not_overflow_the_stack() {
    let nots = format!("SELECT * FROM t WHERE {}x", "NOT ".repeat(45));
    check_sql_access(&nots, "read t crate::repo");
    let cases = format!(
        "SELECT {}1{} FROM u",
        "CASE WHEN x THEN ".repeat(40),
        " END".repeat(40)
    );
    check_sql_access(&cases, "read u crate::repo");
}
