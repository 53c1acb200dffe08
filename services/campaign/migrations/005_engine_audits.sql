-- Audits of a FINAL campaign by an independent engine (`npm run audit`: Apache Flink computing the
-- winners from orders.completed by the seed's rule), as the auditor reported them: its verdict, the
-- differences it found row by row, its own winners, and who ran it. Kept, never overwritten.
CREATE TABLE campaign_engine_audits (
    id                 bigserial PRIMARY KEY,
    campaign_id        bigint NOT NULL REFERENCES campaigns (id),
    engine             text NOT NULL,
    equal              boolean NOT NULL,
    differences        jsonb NOT NULL,
    winners            jsonb NOT NULL,
    records_read       bigint NOT NULL,
    unreadable_records bigint NOT NULL,
    seconds            double precision NOT NULL,
    audited_at         timestamptz NOT NULL DEFAULT now(),
    audited_by         text NOT NULL
);
CREATE INDEX campaign_engine_audits_by_campaign ON campaign_engine_audits (campaign_id, id DESC);
