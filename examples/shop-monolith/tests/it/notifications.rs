//! `/api/notifications` and `/api/customers/{id}/notifications`: the outbox of messages to
//! customers.

use serde_json::json;

use crate::support::{Shop, id_of, pluck};

#[tokio::test]
async fn lists_notifications_newest_first_with_filters_and_paging() {
    let shop = Shop::start().await;
    let all = shop.get("/api/notifications").await;
    all.assert_status(200);
    assert_eq!(pluck(&all.body, "id"), [2, 1]);
    assert_eq!(
        pluck(&all.body, "kind"),
        ["order_delivered", "order_placed"]
    );

    let unread = shop.get("/api/notifications?unread_only=true").await;
    unread.assert_status(200);
    assert_eq!(pluck(&unread.body, "id"), [2]);
    let with_read = shop.get("/api/notifications?unread_only=false").await;
    assert_eq!(pluck(&with_read.body, "id"), [2, 1]);

    let order = shop.checkout(1).await;
    let all = shop.get("/api/notifications").await;
    assert_eq!(pluck(&all.body, "id"), [3, 2, 1]);
    assert_eq!(pluck(&all.body, "customer_id"), [1, 2, 2]);
    let ada = shop.get("/api/notifications?customer_id=1").await;
    assert_eq!(pluck(&ada.body, "id"), [3]);
    assert_eq!(
        ada.body[0]["subject"],
        format!("Order #{} received", id_of(&order))
    );
    let alan_unread = shop
        .get("/api/notifications?customer_id=2&unread_only=true")
        .await;
    assert_eq!(pluck(&alan_unread.body, "id"), [2]);
    let nobody = shop.get("/api/notifications?customer_id=999").await;
    nobody.assert_status(200);
    assert_eq!(nobody.body, json!([]));

    let page = shop.get("/api/notifications?limit=1&offset=1").await;
    assert_eq!(pluck(&page.body, "id"), [2]);
    let unread_page = shop
        .get("/api/notifications?unread_only=true&limit=1")
        .await;
    assert_eq!(pluck(&unread_page.body, "id"), [3]);

    shop.get("/api/notifications?limit=0")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/notifications?unread_only=maybe")
        .await
        .assert_error(400, "bad_request");
    shop.get("/api/notifications?customer_id=x")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn gets_one_notification_or_404() {
    let shop = Shop::start().await;
    let reply = shop.get("/api/notifications/1").await;
    reply.assert_status(200);
    let note = &reply.body;
    assert_eq!(note["id"], 1);
    assert_eq!(note["customer_id"], 2);
    assert_eq!(note["channel"], "email");
    assert_eq!(note["kind"], "order_placed");
    assert_eq!(note["recipient"], "alan@example.org");
    assert_eq!(note["subject"], "Order #1 received");
    assert_eq!(note["body"], "Thank you, Alan Turing.");
    assert_eq!(note["read"], true);
    assert!(note["created_at"].is_string());

    shop.get("/api/notifications/999")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/notifications/abc")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn marks_a_notification_read() {
    let shop = Shop::start().await;
    shop.checkout(1).await;
    let reply = shop.post_empty("/api/notifications/2/read").await;
    reply.assert_status(200);
    assert_eq!(reply.body["id"], 2);
    assert_eq!(reply.body["read"], true);
    assert_eq!(reply.body["kind"], "order_delivered");
    assert_eq!(shop.get("/api/notifications/2").await.body["read"], true);

    let unread = shop.get("/api/notifications?unread_only=true").await;
    assert_eq!(pluck(&unread.body, "id"), [3], "only Ada's is left unread");

    // Reading twice is harmless.
    let again = shop.post_empty("/api/notifications/2/read").await;
    again.assert_status(200);
    assert_eq!(again.body["read"], true);

    shop.post_empty("/api/notifications/999/read")
        .await
        .assert_error(404, "not_found");
    shop.post_empty("/api/notifications/abc/read")
        .await
        .assert_error(400, "bad_request");
    assert_eq!(shop.get("/api/notifications/3").await.body["read"], false);
}

#[tokio::test]
async fn lists_the_notifications_of_one_customer() {
    let shop = Shop::start().await;
    let alan = shop.get("/api/customers/2/notifications").await;
    alan.assert_status(200);
    assert_eq!(pluck(&alan.body, "id"), [2, 1]);
    assert_eq!(
        pluck(&alan.body, "read"),
        [false, true],
        "read ones are included"
    );

    let first = shop.get("/api/customers/2/notifications?limit=1").await;
    assert_eq!(pluck(&first.body, "id"), [2]);

    let ada = shop.get("/api/customers/1/notifications").await;
    ada.assert_status(200);
    assert_eq!(ada.body, json!([]));

    shop.get("/api/customers/999/notifications")
        .await
        .assert_error(404, "not_found");
    shop.get("/api/customers/2/notifications?limit=101")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn a_notification_keeps_the_address_it_was_sent_to() {
    let shop = Shop::start().await;
    let order = shop.checkout(1).await;
    shop.put("/api/customers/1", json!({"email": "countess@example.org"}))
        .await
        .assert_status(200);
    shop.pay(id_of(&order)).await;

    let notes = shop.get("/api/customers/1/notifications").await;
    assert_eq!(
        pluck(&notes.body, "kind"),
        ["payment_received", "order_placed"]
    );
    assert_eq!(
        pluck(&notes.body, "recipient"),
        ["countess@example.org", "ada@example.org"]
    );
    assert_eq!(
        notes.body[1]["body"],
        "Thank you, Ada Lovelace. Your order of 52.94 is waiting for payment."
    );
}
