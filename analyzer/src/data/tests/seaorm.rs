//! SeaORM: entities, `belongs_to` relations, entity calls found through the resolver, module
//! arithmetic, prelude aliases and names, and active models.

use super::{check, check_located};

const ENTITIES: &str = r#"//- src/entities/mod.rs
pub mod cake;
pub mod fruit;
pub mod prelude;
//- src/entities/prelude.rs
pub use super::cake::Entity as Cake;
pub use super::fruit::Entity as Fruit;
//- src/entities/cake.rs
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cake")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::fruit::Entity")]
    Fruit,
}

impl Related<super::fruit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Fruit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    pub fn find_by_name(name: &str) -> Select<Entity> {
        Self::find().filter(Column::Name.eq(name))
    }
}
//- src/entities/fruit.rs
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fruit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    #[sea_orm(column_name = "cake")]
    pub cake_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cake::Entity",
        from = "Column::CakeId",
        to = "super::cake::Column::Id"
    )]
    Cake,
}

impl ActiveModelBehavior for ActiveModel {}
"#;

#[test]
fn entities_define_tables_and_belongs_to_defines_foreign_keys() {
    check_located(
        ENTITIES,
        "table cake @ src/entities/cake.rs:5
         table fruit @ src/entities/fruit.rs:5
         fk fruit.cake -> cake @ src/entities/fruit.rs:20
         read cake crate::entities::cake @ src/entities/cake.rs:27",
    );
}

#[test]
fn entity_calls_read_and_write_through_paths_aliases_and_active_models() {
    let project = format!(
        "{ENTITIES}{}",
        r#"//- src/service.rs
use crate::entities::{cake, fruit, prelude::*};
use sea_orm::*;

pub async fn run(db: &DatabaseConnection, model: fruit::Model) -> Result<(), DbErr> {
    let cakes = Cake::find().all(db).await?;
    let one = cake::Entity::find_by_id(1).one(db).await?;
    let with_fruit = cake::Entity::find().find_also_related(Fruit).all(db).await?;
    let apple = fruit::ActiveModel { name: Set("Apple".to_owned()), ..Default::default() };
    let apple = apple.insert(db).await?;
    fruit::Entity::delete_many().filter(fruit::Column::Name.contains("x")).exec(db).await?;
    cake::ActiveModel { id: Set(1), ..Default::default() }.delete(db).await?;
    let pear: fruit::ActiveModel = model.into_active_model();
    pear.save(db).await?;
    Fruit::insert_many(vec![]).exec(db).await?;
    let mut map = HashMap::new();
    map.insert(1, 2);
    HashMap::insert(&mut map, 1, 2);
    let untyped = model.into_active_model();
    untyped.update(db).await?;
    Ok(())
}
"#
    );
    check(
        &project,
        "table cake
         table fruit
         fk fruit.cake -> cake
         read cake crate::entities::cake
         read cake crate::service x3
         read fruit crate::service
         write cake crate::service
         write fruit crate::service x4",
    );
}

#[test]
fn the_resolver_tells_apart_entity_modules_with_the_same_name() {
    check(
        r#"//- src/a/cake.rs
#[derive(DeriveEntityModel)]
#[sea_orm(table_name = "a_cake")]
pub struct Model { pub id: i32 }
//- src/b/cake.rs
#[derive(DeriveEntityModel)]
#[sea_orm(table_name = "b_cake")]
pub struct Model { pub id: i32 }
//- src/b/mod.rs
pub mod cake;
pub fn load() {
    cake::Entity::find();
    self::cake::Entity::delete_by_id(1);
}
//- src/a/mod.rs
pub mod cake;
pub fn load() {
    crate::b::cake::Entity::find();
    super::a::cake::Entity::update_many();
}
//- src/service.rs
pub fn ambiguous() {
    // Neither the resolver nor the name tell which `cake` this is: not counted.
    cake::Entity::find();
}
"#,
        "table a_cake
         table b_cake
         read b_cake crate::a
         read b_cake crate::b
         write a_cake crate::a
         write b_cake crate::b",
    );
}

#[test]
fn hand_written_entity_name_defines_the_table() {
    check_located(
        r#"//- src/legacy.rs
#[derive(Copy, Clone, Default, Debug, DeriveEntity)]
pub struct Entity;

impl EntityName for Entity {
    fn table_name(&self) -> &str {
        "legacy_cake"
    }
}
//- src/repo.rs
pub async fn all(db: &DbConn) {
    crate::legacy::Entity::find().all(db).await;
}
"#,
        "table legacy_cake @ src/legacy.rs:6
         read legacy_cake crate::repo @ src/repo.rs:2",
    );
}

#[test]
fn raw_sql_in_seaorm_statements_counts() {
    check(
        r##"//- src/repo.rs
pub async fn raw(db: &DbConn) {
    db.execute_unprepared("DELETE FROM cake WHERE id = 1").await;
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, r#"SELECT * FROM fruit WHERE id = $1"#, [1.into()]);
}
"##,
        "read fruit crate::repo
         write cake crate::repo",
    );
}
