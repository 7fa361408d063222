//! diesel: `table!`, `joinable!`, query paths, dsl imports and write calls.

use super::{check, check_located};

const SCHEMA: &str = r#"//- src/schema.rs
// @generated automatically by Diesel CLI.
diesel::table! {
    use diesel::sql_types::*;

    /// Registered people.
    users (id) {
        id -> Int4,
        name -> Varchar,
    }
}

diesel::table! {
    posts (id) {
        id -> Int4,
        user_id -> Int4,
        title -> Varchar,
    }

    #[sql_name = "post_tags"]
    tags_of_posts (post_id, tag) {
        post_id -> Int4,
        #[sql_name = "tag"]
        tag_name -> Varchar,
    }

    analytics.page_views {
        id -> Int8,
    }
}

diesel::joinable!(posts -> users (user_id));
joinable!(tags_of_posts -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(posts, users, tags_of_posts);
"#;

#[test]
fn table_macros_define_tables_and_joinable_defines_foreign_keys() {
    check_located(
        SCHEMA,
        "table page_views @ src/schema.rs:26
         table post_tags @ src/schema.rs:20
         table posts @ src/schema.rs:13
         table users @ src/schema.rs:6
         fk post_tags.post_id -> posts @ src/schema.rs:32
         fk posts.user_id -> users @ src/schema.rs:31",
    );
}

fn with_schema(code: &str) -> String {
    format!("{SCHEMA}{code}")
}

#[test]
fn paths_through_table_and_dsl_are_reads() {
    check(
        &with_schema(
            r#"//- src/repo.rs
use crate::schema::{posts, users};

pub fn load(conn: &mut PgConnection) -> QueryResult<Vec<User>> {
    users::table.filter(users::name.eq("ann")).load(conn)
}

pub fn titles(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    crate::schema::posts::dsl::posts.select(posts::title).load(conn)
}

pub fn with_tags(conn: &mut PgConnection) {
    posts::table.inner_join(crate::schema::tags_of_posts::table).load::<(Post, Tag)>(conn);
}
"#,
        ),
        "table page_views
         table post_tags
         table posts
         table users
         fk post_tags.post_id -> posts
         fk posts.user_id -> users
         read post_tags crate::repo
         read posts crate::repo x2
         read users crate::repo",
    );
}

#[test]
fn bare_table_names_count_under_a_dsl_import_unless_shadowed() {
    check(
        &with_schema(
            r#"//- src/repo.rs
use crate::schema::users::dsl::*;
use crate::schema::posts::dsl::{posts as all_posts, title};

pub fn load(conn: &mut PgConnection) -> QueryResult<Vec<User>> {
    let users = users.filter(name.eq("ann")).load::<User>(conn)?;
    Ok(users)
}

pub fn count(conn: &mut PgConnection, posts: &[Post]) -> i64 {
    all_posts.count().get_result(conn).unwrap_or(posts.len() as i64)
}
//- src/other.rs
pub fn no_import(users: Vec<User>) -> usize {
    let posts = users.len();
    posts
}
"#,
        ),
        "table page_views
         table post_tags
         table posts
         table users
         fk post_tags.post_id -> posts
         fk posts.user_id -> users
         read posts crate::repo
         read users crate::repo",
    );
}

#[test]
fn write_calls_write_the_first_table_of_their_argument() {
    check_located(
        &with_schema(
            r#"//- src/repo.rs
use diesel::prelude::*;
use crate::schema::{posts, users};
use crate::schema::users::dsl::*;

pub fn create(conn: &mut PgConnection, new_user: &NewUser) {
    diesel::insert_into(users::table).values(new_user).execute(conn);
}

pub fn rename(conn: &mut PgConnection) {
    diesel::update(users.find(1)).set(name.eq("bob")).execute(conn);
}

pub fn purge(conn: &mut PgConnection) {
    diesel::delete(posts::table.filter(posts::user_id.eq_any(users::table.select(users::id)))).execute(conn);
}

pub fn upsert(conn: &mut PgConnection, post: &NewPost) {
    diesel::replace_into(posts::table).values(post).execute(conn);
    post.insert_into(posts::table).execute(conn);
}
"#,
        ),
        "table page_views @ src/schema.rs:26
         table post_tags @ src/schema.rs:20
         table posts @ src/schema.rs:13
         table users @ src/schema.rs:6
         fk post_tags.post_id -> posts @ src/schema.rs:32
         fk posts.user_id -> users @ src/schema.rs:31
         read users crate::repo @ src/repo.rs:14
         write posts crate::repo x3 @ src/repo.rs:14
         write users crate::repo x2 @ src/repo.rs:6",
    );
}

#[test]
fn names_that_are_not_tables_are_ignored() {
    check(
        r#"//- src/schema.rs
diesel::table! {
    events (id) {
        id -> Int4,
    }
}
//- src/repo.rs
pub fn now(conn: &mut PgConnection) {
    diesel::select(diesel::dsl::now).get_result::<SystemTime>(conn);
    other::table.load(conn);
    events::table.count().get_result::<i64>(conn);
}
"#,
        "table events
         read events crate::repo",
    );
}

#[test]
fn one_statement_counts_once_per_table() {
    check(
        r#"//- src/schema.rs
diesel::table! {
    events (id) {
        id -> Int4,
        kind -> Text,
    }
}
//- src/repo.rs
use crate::schema::events;
pub fn query(conn: &mut PgConnection) {
    let boxed = events::table.filter(events::kind.eq("a")).or_filter(events::kind.eq_any(events::table.select(events::kind)));
    let again = events::table.load(conn);
}
"#,
        "table events
         read events crate::repo x2",
    );
}

#[test]
fn a_write_call_writes_its_first_table_when_a_bare_name_comes_first() {
    check(
        &with_schema(
            r#"//- src/repo.rs
use crate::schema::posts::dsl::*;
use crate::schema::users;

pub fn purge(conn: &mut PgConnection) {
    diesel::delete(posts.filter(user_id.eq_any(users::table.select(users::id)))).execute(conn);
}
"#,
        ),
        "table page_views
         table post_tags
         table posts
         table users
         fk post_tags.post_id -> posts
         fk posts.user_id -> users
         read users crate::repo
         write posts crate::repo",
    );
}
