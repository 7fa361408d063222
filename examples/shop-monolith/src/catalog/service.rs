//! Catalog rules: validation of products and categories, and the summary other domains use.

use rusqlite::Connection;

use super::model::{
    Category, NewCategory, NewProduct, Product, ProductFilter, ProductSummary, ProductUpdate,
};
use super::repository;
use crate::common::error::or_not_found;
use crate::common::{AppError, AppResult, Page, validation};

pub fn list_products(
    conn: &Connection,
    filter: &ProductFilter,
    page: Page,
) -> AppResult<Vec<Product>> {
    let (limit, offset) = page.resolve()?;
    Ok(repository::list_products(conn, filter, limit, offset)?)
}

pub fn get_product(conn: &Connection, id: i64) -> AppResult<Product> {
    repository::find_product(conn, id)?.ok_or_else(|| AppError::not_found(format!("product {id}")))
}

/// Public API for other domains: a product's name, SKU and current price.
pub fn product_summary(conn: &Connection, id: i64) -> AppResult<ProductSummary> {
    or_not_found(repository::find_summary(conn, id), || {
        format!("product {id}")
    })
}

pub fn create_product(conn: &Connection, input: NewProduct) -> AppResult<Product> {
    let product = NewProduct {
        sku: validation::non_empty("sku", &input.sku)?.to_ascii_uppercase(),
        name: validation::non_empty("name", &input.name)?,
        description: input.description.trim().to_string(),
        price_cents: validation::price_cents(input.price_cents)?,
        category_id: input.category_id,
    };
    if let Some(category_id) = product.category_id {
        ensure_category(conn, category_id)?;
    }
    if repository::list_products(
        conn,
        &ProductFilter {
            q: Some(product.sku.clone()),
            include_inactive: true,
            ..Default::default()
        },
        1,
        0,
    )?
    .iter()
    .any(|existing| existing.sku == product.sku)
    {
        return Err(AppError::conflict(format!(
            "a product with sku {} exists",
            product.sku
        )));
    }
    let id = repository::insert_product(conn, &product)?;
    get_product(conn, id)
}

pub fn update_product(conn: &Connection, id: i64, update: ProductUpdate) -> AppResult<Product> {
    let mut product = get_product(conn, id)?;
    if let Some(name) = update.name {
        product.name = validation::non_empty("name", &name)?;
    }
    if let Some(description) = update.description {
        product.description = description.trim().to_string();
    }
    if let Some(price_cents) = update.price_cents {
        product.price_cents = validation::price_cents(price_cents)?;
    }
    if let Some(category_id) = update.category_id {
        ensure_category(conn, category_id)?;
        product.category_id = Some(category_id);
    }
    if let Some(active) = update.active {
        product.active = active;
    }
    repository::update_product(conn, &product)?;
    get_product(conn, id)
}

pub fn retire_product(conn: &Connection, id: i64) -> AppResult<()> {
    match repository::deactivate_product(conn, id)? {
        0 => Err(AppError::not_found(format!("product {id}"))),
        _ => Ok(()),
    }
}

pub fn list_categories(conn: &Connection) -> AppResult<Vec<Category>> {
    Ok(repository::list_categories(conn)?)
}

pub fn create_category(conn: &Connection, input: NewCategory) -> AppResult<Category> {
    let category = NewCategory {
        name: validation::non_empty("name", &input.name)?,
        description: input.description.trim().to_string(),
    };
    let id = repository::insert_category(conn, &category)?;
    Ok(Category {
        id,
        name: category.name,
        description: category.description,
        product_count: 0,
    })
}

pub fn products_in_category(
    conn: &Connection,
    category_id: i64,
    page: Page,
) -> AppResult<Vec<Product>> {
    ensure_category(conn, category_id)?;
    list_products(
        conn,
        &ProductFilter {
            category_id: Some(category_id),
            ..Default::default()
        },
        page,
    )
}

fn ensure_category(conn: &Connection, id: i64) -> AppResult<()> {
    if repository::category_exists(conn, id)? {
        Ok(())
    } else {
        Err(AppError::not_found(format!("category {id}")))
    }
}
