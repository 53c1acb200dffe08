-- When the campaign service learned of each order (its ingest transaction), so the delay between
-- an order's completion and its effect on the standings can be measured.
ALTER TABLE orders ADD COLUMN ingested_at timestamptz NOT NULL DEFAULT now();
