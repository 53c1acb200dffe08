CREATE TYPE order_status AS ENUM ('PENDING', 'PROCESSING', 'SUCCESS', 'FAILED');

-- The seed's campaigns table. The seed made `type` unique; a FINAL campaign is history and a new
-- one of the same type may follow, so uniqueness holds among campaigns not yet final.
CREATE TABLE campaigns (
    id           bigserial PRIMARY KEY,
    name         varchar(100) NOT NULL,
    type         varchar(50) NOT NULL,
    description  text NOT NULL,
    start_time   timestamptz NOT NULL,
    end_time     timestamptz NOT NULL,
    policy       jsonb NOT NULL DEFAULT '{}',
    finalized_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_window CHECK (start_time < end_time)
);
CREATE UNIQUE INDEX campaigns_one_open_per_type ON campaigns (type) WHERE finalized_at IS NULL;

-- The seed's denormalised orders: every completed order, as the order service announced it.
CREATE TABLE orders (
    id            varchar(20) PRIMARY KEY NOT NULL,
    status        order_status NOT NULL DEFAULT 'PENDING',
    total_amount  decimal(10, 2) NOT NULL,
    customer_id   varchar(20) NOT NULL,
    customer_name varchar(100) NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_id_created_at ON orders (customer_id, created_at);
CREATE INDEX orders_successful_created_at ON orders (created_at) WHERE status = 'SUCCESS';

-- Live standings: per campaign and customer, the aggregate of their SUCCESS orders in the window.
-- Kept up to date per event (commutative upserts); ranking reads only the first N by index.
CREATE TABLE campaign_customers (
    campaign_id      bigint NOT NULL REFERENCES campaigns (id),
    customer_id      varchar(20) NOT NULL,
    customer_name    varchar(100) NOT NULL,
    first_order_at   timestamptz NOT NULL,
    first_order_id   varchar(20) NOT NULL,
    max_order_amount decimal(10, 2) NOT NULL,
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_customers_rank ON campaign_customers (campaign_id, first_order_at, first_order_id);

-- Per partition of orders.completed and per order database: the highest watermark consumed,
-- written in the same transaction as the events before it.
CREATE TABLE partition_watermarks (
    topic      text NOT NULL,
    partition  integer NOT NULL,
    source     text NOT NULL,
    watermark  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition, source)
);

-- FINAL winners: written once, never changed.
CREATE TABLE campaign_winners (
    campaign_id      bigint NOT NULL REFERENCES campaigns (id),
    rank             integer NOT NULL,
    customer_id      varchar(20) NOT NULL,
    customer_name    varchar(100) NOT NULL,
    first_order_at   timestamptz NOT NULL,
    max_order_amount decimal(10, 2) NOT NULL,
    PRIMARY KEY (campaign_id, rank),
    UNIQUE (campaign_id, customer_id)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'final campaign winners are immutable';
END $$;
CREATE TRIGGER campaign_winners_immutable BEFORE UPDATE OR DELETE ON campaign_winners
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
