-- Transactional outbox: a service writes its events here in the same transaction as its state
-- change; the relay publishes them to Kafka and deletes them once the broker acknowledged.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  topic       text NOT NULL,
  message_key text NOT NULL,
  -- Set only for events addressed to one partition (watermarks); otherwise the key decides.
  partition   integer,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Inbox: ids of consumed events, written in the same transaction as their effect, so a
-- redelivered event is recognised and changes nothing.
CREATE TABLE inbox (
  event_id     uuid PRIMARY KEY,
  topic        text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_processed_at ON inbox (processed_at);
