-- What this database is, as a shard: its name (its watermarks' source), the number of logical
-- shards of the deployment and which of them it holds. Written at the first start, checked at every
-- start: a shard map or LOGICAL_SHARDS that disagrees with the rows a database holds would send
-- customers to a database without their orders. Changed only by moving shards (docs/scaling.md).
CREATE TABLE shard_ownership (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  database_name  text NOT NULL,
  logical_shards integer NOT NULL,
  owned          integer[] NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now()
);
