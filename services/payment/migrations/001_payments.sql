-- The seed's payments table, plus one rule it lacked: at most one payment per order.
CREATE TYPE payment_status AS ENUM ('SUCCESS', 'FAILED');

CREATE TABLE payments (
    id           varchar(20) PRIMARY KEY NOT NULL,
    order_id     varchar(20) NOT NULL,
    status       payment_status NOT NULL DEFAULT 'SUCCESS',
    total_amount decimal(10, 2) NOT NULL,
    customer_id  varchar(20) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_one_per_order UNIQUE (order_id)
);

CREATE INDEX payments_customer_id_created_at ON payments (customer_id, created_at);
CREATE INDEX payments_created_at ON payments (created_at, id);
