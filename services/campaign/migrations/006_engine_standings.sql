-- Apache Flink's latest provisional standings of each campaign (campaign.flink.standings, the
-- auditor's one-minute micro-batch), shown beside the campaign's own: one row per campaign, the
-- latest minute kept (a redelivered or older minute never replaces a newer one).
CREATE TABLE campaign_engine_standings (
    campaign_id      bigint PRIMARY KEY,
    engine           text NOT NULL,
    minute_end       timestamptz NOT NULL,
    customers_so_far integer NOT NULL,
    winners          jsonb NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now()
);
