-- An orders.completed message the consumer could not apply (dead-lettered): the stored history has
-- a hole there, so no campaign whose window the order could fall in may become FINAL until the
-- message is replayed and applied (event_id matches) or an operator resolves the hole with a reason.
-- Written by the consumer's onDeadLetter hook in the transaction that writes the dead letter.
CREATE TABLE finality_holes (
    id               bigserial PRIMARY KEY,
    topic            text NOT NULL,
    partition        integer NOT NULL,
    message_offset   bigint NOT NULL,
    -- From the message when it parses that far; NULL otherwise.
    event_id         text,
    order_id         text,
    -- NULL when unknown: the hole then touches every campaign.
    order_created_at timestamptz,
    reason           text NOT NULL,
    errors           text[] NOT NULL DEFAULT '{}',
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    resolved_by      text,
    resolution       text,
    CONSTRAINT finality_holes_resolution CHECK ((resolved_at IS NULL) = (resolved_by IS NULL) AND (resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX finality_holes_unresolved ON finality_holes (recorded_at) WHERE resolved_at IS NULL;
CREATE INDEX finality_holes_event_id ON finality_holes (event_id) WHERE resolved_at IS NULL;

-- Per partition of orders.completed: the first offset this database ever consumed there, and when.
-- Offset 0: it holds the partition from its first message. A larger one: what came before is not
-- here (dropped by retention, or consumed into an earlier database by the same consumer group), so
-- only orders created after first_ingested_at are known to be complete. A window may not start
-- before the latest such instant (domain/history.ts).
CREATE TABLE partition_history (
    topic             text NOT NULL,
    partition         integer NOT NULL,
    first_offset      bigint NOT NULL,
    first_ingested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);
