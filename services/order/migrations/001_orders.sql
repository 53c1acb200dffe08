-- The seed's orders table, unchanged in shape.
CREATE TYPE order_status AS ENUM ('PENDING', 'PROCESSING', 'SUCCESS', 'FAILED');

CREATE TABLE orders (
    id            varchar(20) PRIMARY KEY NOT NULL,
    status        order_status NOT NULL DEFAULT 'PENDING',
    total_amount  decimal(10, 2) NOT NULL CHECK (total_amount > 0),
    customer_id   varchar(20) NOT NULL,
    customer_name varchar(100) NOT NULL,
    -- The one clock that decides campaign ranking: the order database's, at insert.
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_id_created_at ON orders (customer_id, created_at);
-- Admin search: newest first is the default listing.
CREATE INDEX orders_created_at ON orders (created_at, id);
-- Unpaid orders, for the payment-timeout sweep and the low watermark; small by construction.
CREATE INDEX orders_awaiting_payment ON orders (created_at) WHERE status IN ('PENDING', 'PROCESSING');

-- Idempotency-Key: a retried POST returns the order the first attempt created.
CREATE TABLE order_idempotency_keys (
    customer_id  varchar(20) NOT NULL,
    key          varchar(100) NOT NULL,
    request_hash text NOT NULL,
    order_id     varchar(20) NOT NULL REFERENCES orders (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, key)
);

-- Payment results that arrived after their order was already terminal (e.g. failed by the
-- payment timeout): recorded for reconciliation, never applied.
CREATE TABLE late_payment_results (
    event_id     uuid PRIMARY KEY,
    order_id     varchar(20) NOT NULL,
    payment_id   varchar(20) NOT NULL,
    status       text NOT NULL,
    order_status order_status,
    received_at  timestamptz NOT NULL DEFAULT now()
);
