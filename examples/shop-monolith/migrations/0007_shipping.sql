-- Shipments of paid orders.
CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    address_id      INTEGER REFERENCES addresses (id),
    carrier         TEXT NOT NULL,
    service_level   TEXT NOT NULL,
    cost_cents      INTEGER NOT NULL,
    tracking_number TEXT,
    status          TEXT NOT NULL DEFAULT 'created',
    created_at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dispatched_at   TEXT,
    delivered_at    TEXT
);

CREATE INDEX shipments_order ON shipments (order_id);
