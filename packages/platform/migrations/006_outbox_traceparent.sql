-- The W3C traceparent an event carries to Kafka as a header (the span of the request or the event
-- that caused it), so one order's path through every service can be found by one trace id.
ALTER TABLE outbox ADD COLUMN traceparent text;
