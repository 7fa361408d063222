//! `/api/products` and `/api/categories`.

use serde_json::json;

use crate::support::Shop;

#[tokio::test]
async fn lists_active_products_with_paging_and_filters() {
    let shop = Shop::start().await;
    let all = shop.get("/api/products?limit=100").await;
    all.assert_status(200);
    let products = all.body.as_array().unwrap();
    assert_eq!(products.len(), 11, "the discontinued product is hidden");
    assert_eq!(products[0]["sku"], "COF-ETH-250");
    assert_eq!(products[0]["price"], "12.90");

    let page = shop.get("/api/products?limit=2&offset=2").await;
    let ids: Vec<i64> = page
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 4]);

    let tea = shop.get("/api/products?category_id=4").await;
    assert_eq!(tea.body.as_array().unwrap().len(), 2);

    let search = shop.get("/api/products?q=kettle").await;
    assert_eq!(search.body[0]["sku"], "BRW-KTL-GSN");

    let with_inactive = shop
        .get("/api/products?limit=100&include_inactive=true")
        .await;
    assert_eq!(with_inactive.body.as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn gets_one_product_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/products/6").await;
    reply.assert_status(200);
    assert_eq!(reply.body["name"], "Hand grinder");
    assert_eq!(reply.body["price_cents"], 8900);
    shop.get("/api/products/999")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn creates_a_product() {
    let shop = Shop::start().await;
    let reply = shop
        .post(
            "/api/products",
            json!({"sku": "cup-tmb-300", "name": "Tumbler", "price_cents": 2200, "category_id": 3}),
        )
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["sku"], "CUP-TMB-300", "SKUs are upper-cased");
    let id = reply.body["id"].as_i64().unwrap();
    assert_eq!(
        shop.get(&format!("/api/products/{id}")).await.body["name"],
        "Tumbler"
    );
}

#[tokio::test]
async fn rejects_invalid_or_duplicate_products() {
    let shop = Shop::start().await;
    shop.post(
        "/api/products",
        json!({"sku": "X-1", "name": " ", "price_cents": 100}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post(
        "/api/products",
        json!({"sku": "X-1", "name": "X", "price_cents": -1}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post(
        "/api/products",
        json!({"sku": "X-1", "name": "X", "price_cents": 1, "category_id": 99}),
    )
    .await
    .assert_error(404, "not_found");
    shop.post(
        "/api/products",
        json!({"sku": "COF-ETH-250", "name": "Again", "price_cents": 1}),
    )
    .await
    .assert_error(409, "conflict");
    shop.post("/api/products", json!({"name": "no sku"}))
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn updates_a_product_partially() {
    let shop = Shop::start().await;
    let reply = shop
        .put(
            "/api/products/2",
            json!({"price_cents": 1250, "category_id": 4}),
        )
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["price_cents"], 1250);
    assert_eq!(reply.body["category_id"], 4);
    assert_eq!(
        reply.body["name"], "Colombia Huila 250 g",
        "untouched fields keep their value"
    );
    shop.put("/api/products/999", json!({"name": "x"}))
        .await
        .assert_error(404, "not_found");
    shop.put("/api/products/2", json!({"price_cents": -5}))
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn deleting_a_product_retires_it() {
    let shop = Shop::start().await;
    shop.delete("/api/products/10").await.assert_status(204);
    let reply = shop.get("/api/products/10").await;
    reply.assert_status(200);
    assert_eq!(reply.body["active"], false);
    let listed = shop.get("/api/products?category_id=4").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    shop.delete("/api/products/999")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn lists_categories_with_product_counts() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/categories").await;
    reply.assert_status(200);
    let names: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Brewing", "Coffee", "Cups", "Tea"]);
    assert_eq!(
        reply.body[1]["product_count"], 3,
        "discontinued coffee is not counted"
    );
}

#[tokio::test]
async fn creates_categories_and_rejects_duplicates() {
    let shop = Shop::start().await;
    let reply = shop
        .post("/api/categories", json!({"name": "Chocolate"}))
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["product_count"], 0);
    shop.post("/api/categories", json!({"name": "Chocolate"}))
        .await
        .assert_error(409, "constraint_violation");
    shop.post("/api/categories", json!({"name": ""}))
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn lists_products_of_a_category() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/categories/3/products").await;
    reply.assert_status(200);
    let skus: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["CUP-MUG-350", "CUP-ESP-2"]);
    shop.get("/api/categories/99/products")
        .await
        .assert_error(404, "not_found");
}
