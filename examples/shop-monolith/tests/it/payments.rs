//! `/api/payments` and `/api/orders/{id}/payments`: authorise, capture, refund.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn gets_a_payment_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/payments/1").await;
    reply.assert_status(200);
    assert_eq!(
        reply.body,
        json!({
            "id": 1,
            "order_id": 1,
            "amount_cents": 8189,
            "method": "card",
            "status": "captured",
            "reference": "PAY-SEED-0001",
            "refunded_cents": 0,
            "refunds": []
        })
    );
    shop.get("/api/payments/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/payments/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn authorizes_the_order_total() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    let reply = shop
        .post(
            "/api/payments",
            json!({"order_id": order_id, "method": " PayPal "}),
        )
        .await;
    reply.assert_status(201);
    assert_eq!(reply.body["order_id"], order_id);
    assert_eq!(reply.body["amount_cents"], 5294);
    assert_eq!(reply.body["method"], "paypal");
    assert_eq!(reply.body["status"], "authorized");
    assert_eq!(reply.body["refunded_cents"], 0);
    assert!(
        reply.body["reference"]
            .as_str()
            .is_some_and(|reference| reference.starts_with("PAY-")),
        "{}",
        reply.body
    );
    assert_eq!(
        shop.order_status(order_id).await,
        "pending",
        "authorising does not take the money"
    );

    let fetched = shop
        .get(&format!("/api/payments/{}", id_of(&reply.body)))
        .await;
    assert_eq!(fetched.body, reply.body);
}

#[tokio::test]
async fn rejects_bad_authorizations() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    shop.post(
        "/api/payments",
        json!({"order_id": order_id, "method": "cash"}),
    )
    .await
    .assert_error(400, "bad_request");
    shop.post("/api/payments", json!({"order_id": order_id}))
        .await
        .assert_error(400, "bad_request");
    shop.post("/api/payments", json!({"order_id": 999, "method": "card"}))
        .await
        .assert_error(404, "not_found");
    shop.post("/api/payments", json!({"order_id": 1, "method": "card"}))
        .await
        .assert_error(409, "conflict");

    shop.post(
        "/api/payments",
        json!({"order_id": order_id, "method": "card"}),
    )
    .await
    .assert_status(201);
    // Paying twice: one live payment per order.
    shop.post(
        "/api/payments",
        json!({"order_id": order_id, "method": "invoice"}),
    )
    .await
    .assert_error(409, "conflict");

    let payments = shop.get(&format!("/api/orders/{order_id}/payments")).await;
    assert_eq!(pluck(&payments.body, "method"), ["card"]);
}

#[tokio::test]
async fn capture_takes_the_money_and_marks_the_order_paid() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    let authorized = shop
        .post(
            "/api/payments",
            json!({"order_id": order_id, "method": "card"}),
        )
        .await;
    let payment_id = id_of(&authorized.body);

    let reply = shop
        .post_empty(&format!("/api/payments/{payment_id}/capture"))
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "captured");
    assert_eq!(reply.body["amount_cents"], 5294);
    assert_eq!(reply.body["reference"], authorized.body["reference"]);
    assert_eq!(shop.order_status(order_id).await, "paid");

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(notes.body[0]["kind"], "payment_received");
    assert_eq!(
        notes.body[0]["subject"],
        format!("Payment for order #{order_id} received")
    );
    assert_eq!(
        notes.body[0]["body"],
        format!(
            "We received 52.94 ({}).",
            authorized.body["reference"].as_str().unwrap()
        )
    );

    // Paying twice.
    shop.post_empty(&format!("/api/payments/{payment_id}/capture"))
        .await
        .assert_error(409, "conflict");
    shop.post(
        "/api/payments",
        json!({"order_id": order_id, "method": "card"}),
    )
    .await
    .assert_error(409, "conflict");
    let payments = shop.get(&format!("/api/orders/{order_id}/payments")).await;
    assert_eq!(payments.body.as_array().unwrap().len(), 1);

    shop.post_empty("/api/payments/999/capture")
        .await
        .assert_error(404, "not_found");
    shop.post_empty("/api/payments/1/capture")
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn a_voided_authorisation_cannot_be_captured() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    let authorized = shop
        .post(
            "/api/payments",
            json!({"order_id": order_id, "method": "card"}),
        )
        .await;
    shop.post_empty(&format!("/api/orders/{order_id}/cancel"))
        .await
        .assert_status(200);
    shop.post_empty(&format!(
        "/api/payments/{}/capture",
        id_of(&authorized.body)
    ))
    .await
    .assert_error(409, "conflict");
    assert_eq!(shop.order_status(order_id).await, "cancelled");
}

#[tokio::test]
async fn invoices_above_the_limit_are_declined() {
    let shop = Shop::start().await;
    // A Swiss customer: no tax, 14.90 shipping. A 985.10 machine makes exactly 1000.00.
    let heidi = shop
        .post(
            "/api/customers",
            json!({"email": "heidi@example.org", "name": "Heidi"}),
        )
        .await;
    let customer_id = id_of(&heidi.body);
    shop.post(
        &format!("/api/customers/{customer_id}/addresses"),
        json!({"line1": "Alp 1", "city": "Maienfeld", "postal_code": "7304", "country": "CH"}),
    )
    .await
    .assert_status(201);
    let machine = shop
        .post(
            "/api/products",
            json!({"sku": "BRW-ESP-MCH", "name": "Espresso machine", "price_cents": 98510, "category_id": 2}),
        )
        .await;
    let product_id = id_of(&machine.body);
    shop.put(
        &format!("/api/inventory/{product_id}"),
        json!({"on_hand": 5}),
    )
    .await
    .assert_status(200);

    shop.add_to_cart(customer_id, product_id, 1).await;
    let at_limit = shop.checkout(customer_id).await;
    assert_eq!(at_limit["tax_cents"], 0);
    assert_eq!(at_limit["total_cents"], 100_000);
    let accepted = shop
        .post(
            "/api/payments",
            json!({"order_id": id_of(&at_limit), "method": "invoice"}),
        )
        .await;
    accepted.assert_status(201);
    assert_eq!(
        accepted.body["status"], "authorized",
        "the limit itself is fine"
    );

    shop.put(
        &format!("/api/products/{product_id}"),
        json!({"price_cents": 98511}),
    )
    .await
    .assert_status(200);
    shop.add_to_cart(customer_id, product_id, 1).await;
    let over = shop.checkout(customer_id).await;
    let over_id = id_of(&over);
    assert_eq!(over["total_cents"], 100_001);
    let declined = shop
        .post(
            "/api/payments",
            json!({"order_id": over_id, "method": "invoice"}),
        )
        .await;
    declined.assert_status(201);
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(declined.body["amount_cents"], 100_001);
    shop.post_empty(&format!("/api/payments/{}/capture", id_of(&declined.body)))
        .await
        .assert_error(409, "conflict");
    assert_eq!(shop.order_status(over_id).await, "pending");

    // A declined payment is not live: the customer may pay another way.
    let card = shop
        .post(
            "/api/payments",
            json!({"order_id": over_id, "method": "card"}),
        )
        .await;
    card.assert_status(201);
    assert_eq!(card.body["status"], "authorized");
    let payments = shop.get(&format!("/api/orders/{over_id}/payments")).await;
    assert_eq!(pluck(&payments.body, "status"), ["declined", "authorized"]);
    assert_eq!(pluck(&payments.body, "method"), ["invoice", "card"]);
}

#[tokio::test]
async fn lists_the_payments_of_an_order() {
    let shop = Shop::start().await;
    let seeded = shop.get("/api/orders/1/payments").await;
    seeded.assert_status(200);
    assert_eq!(pluck(&seeded.body, "reference"), ["PAY-SEED-0001"]);

    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    let none = shop.get(&format!("/api/orders/{order_id}/payments")).await;
    none.assert_status(200);
    assert_eq!(none.body, json!([]));
    let payment = shop.pay(order_id).await;
    let one = shop.get(&format!("/api/orders/{order_id}/payments")).await;
    assert_eq!(pluck(&one.body, "id"), [id_of(&payment)]);

    shop.get("/api/orders/999/payments")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn a_partial_then_a_full_refund_marks_the_order_refunded() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    let order_id = id_of(&order);
    let payment = shop.pay(order_id).await;
    let path = format!("/api/payments/{}/refunds", id_of(&payment));

    let partial = shop
        .post(
            &path,
            json!({"amount_cents": 1294, "reason": " one bag arrived open "}),
        )
        .await;
    partial.assert_status(200);
    assert_eq!(partial.body["status"], "captured");
    assert_eq!(partial.body["refunded_cents"], 1294);
    assert_eq!(pluck(&partial.body["refunds"], "amount_cents"), [1294]);
    assert_eq!(
        pluck(&partial.body["refunds"], "reason"),
        ["one bag arrived open"]
    );
    assert_eq!(shop.order_status(order_id).await, "paid");

    shop.post(&path, json!({"amount_cents": 4001, "reason": "too much"}))
        .await
        .assert_error(400, "bad_request");

    let rest = shop.post(&path, json!({"reason": "changed my mind"})).await;
    rest.assert_status(200);
    assert_eq!(rest.body["status"], "refunded");
    assert_eq!(rest.body["refunded_cents"], 5294);
    assert_eq!(
        pluck(&rest.body["refunds"], "amount_cents"),
        [1294, 4000],
        "the rest defaults to what is left"
    );
    assert_eq!(shop.order_status(order_id).await, "refunded");

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(
        pluck(&notes.body, "kind")[..2],
        ["payment_refunded", "payment_refunded"]
    );
    assert_eq!(
        notes.body[0]["subject"],
        format!("Refund for order #{order_id}")
    );
    assert_eq!(notes.body[0]["body"], "We refunded 40.00: changed my mind.");
    assert_eq!(
        notes.body[1]["body"],
        "We refunded 12.94: one bag arrived open."
    );

    shop.post(&path, json!({"amount_cents": 1, "reason": "again"}))
        .await
        .assert_error(409, "conflict");
}

#[tokio::test]
async fn a_delivered_order_can_be_refunded_in_full() {
    let shop = Shop::start().await;
    let reply = shop
        .post(
            "/api/payments/1/refunds",
            json!({"amount_cents": 8189, "reason": "mugs broken"}),
        )
        .await;
    reply.assert_status(200);
    assert_eq!(reply.body["status"], "refunded");
    assert_eq!(reply.body["refunded_cents"], 8189);
    assert_eq!(shop.order_status(1).await, "refunded");
    let notes = shop.get("/api/customers/2/notifications").await;
    assert_eq!(notes.body[0]["kind"], "payment_refunded");
    assert_eq!(notes.body[0]["recipient"], "alan@example.org");
    assert_eq!(notes.body[0]["body"], "We refunded 81.89: mugs broken.");
}

#[tokio::test]
async fn rejects_bad_refunds() {
    let shop = Shop::start().await;
    let path = "/api/payments/1/refunds";
    shop.post(path, json!({"amount_cents": 100, "reason": "  "}))
        .await
        .assert_error(400, "bad_request");
    shop.post(path, json!({"amount_cents": 100}))
        .await
        .assert_error(400, "bad_request");
    for amount in [0, -100, 8190] {
        shop.post(path, json!({"amount_cents": amount, "reason": "x"}))
            .await
            .assert_error(400, "bad_request");
    }
    shop.post(
        "/api/payments/999/refunds",
        json!({"amount_cents": 100, "reason": "x"}),
    )
    .await
    .assert_error(404, "not_found");

    let untouched = shop.get("/api/payments/1").await;
    assert_eq!(untouched.body["refunded_cents"], 0);
    assert_eq!(untouched.body["refunds"], json!([]));
    assert_eq!(shop.order_status(1).await, "delivered");

    // Only captured money can be refunded.
    let order = shop.checkout(1).await;
    let authorized = shop
        .post(
            "/api/payments",
            json!({"order_id": id_of(&order), "method": "card"}),
        )
        .await;
    shop.post(
        &format!("/api/payments/{}/refunds", id_of(&authorized.body)),
        json!({"reason": "x"}),
    )
    .await
    .assert_error(409, "conflict");
}
