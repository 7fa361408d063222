//! `/api/customers` and `/api/customers/{id}/addresses`.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn lists_customers_in_id_order_with_paging() {
    let shop = Shop::start().await;
    let all = shop.get("/api/customers").await;
    all.assert_status(200);
    assert_eq!(
        pluck(&all.body, "email"),
        ["ada@example.org", "alan@example.org", "grace@example.org"]
    );
    assert_eq!(all.body[0]["name"], "Ada Lovelace");

    let page = shop.get("/api/customers?limit=1&offset=1").await;
    page.assert_status(200);
    assert_eq!(pluck(&page.body, "id"), [2]);

    let past_the_end = shop.get("/api/customers?offset=3").await;
    past_the_end.assert_status(200);
    assert_eq!(past_the_end.body, json!([]));

    shop.get("/api/customers?limit=0")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn registers_a_customer_with_a_normalised_email() {
    let shop = Shop::start().await;
    let reply = shop
        .post(
            "/api/customers",
            json!({"email": "  Barbara@Example.ORG ", "name": "  Barbara Liskov "}),
        )
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["id"], 4);
    assert_eq!(reply.body["email"], "barbara@example.org");
    assert_eq!(reply.body["name"], "Barbara Liskov");
    assert!(reply.body["created_at"].is_string());

    let fetched = shop.get("/api/customers/4").await;
    fetched.assert_status(200);
    assert_eq!(fetched.body["email"], "barbara@example.org");
    assert_eq!(
        shop.get("/api/customers")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn rejects_invalid_or_duplicate_registrations() {
    let shop = Shop::start().await;
    shop.post(
        "/api/customers",
        json!({"email": "ADA@example.org", "name": "Another Ada"}),
    )
    .await
    .assert_error(409, "conflict");
    shop.post(
        "/api/customers",
        json!({"email": "not-an-address", "name": "X"}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/customers", json!({"email": "x@example", "name": "X"}))
        .await
        .assert_error(400, "bad_request");
    shop.post(
        "/api/customers",
        json!({"email": "x@example.org", "name": "   "}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/customers", json!({"email": "x@example.org"}))
        .await
        .assert_error(400, "bad_request");

    let all = shop.get("/api/customers").await;
    assert_eq!(
        all.body.as_array().unwrap().len(),
        3,
        "nothing was registered: {}",
        all.body
    );
}

#[tokio::test]
async fn gets_one_customer_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/customers/3").await;
    reply.assert_status(200);
    assert_eq!(reply.body["id"], 3);
    assert_eq!(reply.body["email"], "grace@example.org");
    assert_eq!(reply.body["name"], "Grace Hopper");
    shop.get("/api/customers/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/customers/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn updates_a_customer_partially() {
    let shop = Shop::start().await;
    let renamed = shop
        .put("/api/customers/1", json!({"name": "Augusta Ada King"}))
        .await;
    renamed.assert_status(200);
    assert_eq!(renamed.body["name"], "Augusta Ada King");
    assert_eq!(
        renamed.body["email"], "ada@example.org",
        "untouched fields keep their value"
    );

    let moved = shop
        .put("/api/customers/1", json!({"email": "Countess@Example.org"}))
        .await;
    moved.assert_status(200);
    assert_eq!(moved.body["email"], "countess@example.org");
    assert_eq!(moved.body["name"], "Augusta Ada King");

    let fetched = shop.get("/api/customers/1").await;
    assert_eq!(fetched.body["email"], "countess@example.org");
    assert_eq!(fetched.body["name"], "Augusta Ada King");

    // Keeping one's own address is not a conflict.
    shop.put("/api/customers/1", json!({"email": "countess@example.org"}))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn rejects_invalid_or_conflicting_updates() {
    let shop = Shop::start().await;
    shop.put("/api/customers/1", json!({"email": "alan@example.org"}))
        .await
        .assert_error(409, "conflict");
    shop.put("/api/customers/1", json!({"email": "nope"}))
        .await
        .assert_error(400, "bad_request");
    shop.put("/api/customers/1", json!({"name": ""}))
        .await
        .assert_error(400, "bad_request");
    shop.put("/api/customers/999", json!({"name": "Nobody"}))
        .await
        .assert_error(404, "not_found");

    let ada = shop.get("/api/customers/1").await;
    assert_eq!(ada.body["email"], "ada@example.org");
    assert_eq!(ada.body["name"], "Ada Lovelace");
}

#[tokio::test]
async fn lists_addresses_default_first() {
    let shop = Shop::start().await;
    let alan = shop.get("/api/customers/2/addresses").await;
    alan.assert_status(200);
    assert_eq!(pluck(&alan.body, "id"), [2, 4]);
    assert_eq!(pluck(&alan.body, "is_default"), [true, false]);
    assert_eq!(alan.body[0]["city"], "Berlin");
    assert_eq!(alan.body[0]["country"], "DE");
    assert_eq!(alan.body[1]["postal_code"], "MK3 6EB");

    let created = shop
        .post(
            "/api/customers",
            json!({"email": "new@example.org", "name": "New"}),
        )
        .await;
    let none = shop
        .get(&format!(
            "/api/customers/{}/addresses",
            id_of(&created.body)
        ))
        .await;
    none.assert_status(200);
    assert_eq!(none.body, json!([]));

    shop.get("/api/customers/999/addresses")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn the_first_address_is_the_default_and_a_new_default_replaces_it() {
    let shop = Shop::start().await;
    let customer = shop
        .post(
            "/api/customers",
            json!({"email": "edsger@example.org", "name": "Edsger Dijkstra"}),
        )
        .await;
    let path = format!("/api/customers/{}/addresses", id_of(&customer.body));

    let first = shop
        .post(
            &path,
            json!({"line1": " Plantage 1 ", "city": "Nuenen", "postal_code": "5671", "country": "nl"}),
        )
        .await;
    first.assert_status(201);
    assert_eq!(first.body["line1"], "Plantage 1");
    assert_eq!(first.body["country"], "NL", "country codes are upper-cased");
    assert_eq!(
        first.body["is_default"], true,
        "the first address is the default"
    );

    let second = shop
        .post(
            &path,
            json!({"line1": "2 Rue X", "city": "Paris", "postal_code": "75001", "country": "FR"}),
        )
        .await;
    second.assert_status(201);
    assert_eq!(second.body["is_default"], false);

    let third = shop
        .post(
            &path,
            json!({"line1": "Main St 3", "city": "Austin", "postal_code": "78701", "country": "US", "is_default": true}),
        )
        .await;
    third.assert_status(201);
    assert_eq!(third.body["is_default"], true);

    let listed = shop.get(&path).await;
    assert_eq!(
        pluck(&listed.body, "id"),
        [id_of(&third.body), id_of(&first.body), id_of(&second.body)]
    );
    assert_eq!(
        pluck(&listed.body, "is_default"),
        [true, false, false],
        "exactly one default: {}",
        listed.body
    );
}

#[tokio::test]
async fn rejects_invalid_addresses() {
    let shop = Shop::start().await;
    let valid = json!({"line1": "1 Road", "city": "Town", "postal_code": "123", "country": "DE"});
    shop.post("/api/customers/999/addresses", valid)
        .await
        .assert_error(404, "not_found");
    for (field, value) in [
        ("line1", " "),
        ("city", ""),
        ("postal_code", ""),
        ("country", "DEU"),
        ("country", "1A"),
    ] {
        let mut body =
            json!({"line1": "1 Road", "city": "Town", "postal_code": "123", "country": "DE"});
        body[field] = json!(value);
        shop.post("/api/customers/3/addresses", body)
            .await
            .assert_error(400, "bad_request");
    }
    shop.post("/api/customers/3/addresses", json!({"line1": "1 Road"}))
        .await
        .assert_error(400, "bad_request");

    let grace = shop.get("/api/customers/3/addresses").await;
    assert_eq!(pluck(&grace.body, "id"), [3], "nothing was added");
}

#[tokio::test]
async fn a_new_default_address_is_where_the_next_order_ships() {
    let shop = Shop::start().await;
    let added = shop
        .post(
            "/api/customers/1/addresses",
            json!({"line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117", "country": "DE", "is_default": true}),
        )
        .await;
    added.assert_status(201);
    let order = shop.checkout(1).await;
    assert_eq!(order["shipping_address_id"], id_of(&added.body));
    // Ada's cart: 2 x 12.90 + 5.90 = 31.70, German tax 19 %, domestic standard shipping.
    assert_eq!(order["subtotal_cents"], 3170);
    assert_eq!(order["tax_cents"], 602);
    assert_eq!(order["shipping_cents"], 490);
    assert_eq!(order["total_cents"], 4262);
}
