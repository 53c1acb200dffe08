/**
 * Every advisory-lock id taken on a service database, in one list. Advisory locks are keyed per
 * database, and the platform's locks share each service's database with the service's own, so one
 * id used for two purposes would silently serialise or exclude unrelated work. A new lock gets a
 * new id here; an id never changes (instances of two versions meet during a rolling deploy).
 */
export const ADVISORY_LOCKS = {
  /** Session lock, polled: one instance migrates a database at a time (db/migrate.ts). */
  migrations: 727274,
  /** Transaction lock: one active outbox relay per database, so rows leave in id order (decision 003). */
  outboxRelay: 727275,
  /** order_db, transaction lock: one instance publishes the low watermark per round. */
  orderWatermark: 727276,
  /** campaign_db: ingest and hole recording hold it shared; window changes and the finaliser exclusive. */
  campaignStandings: 727277,
  /** Transaction lock: one instance at a time changes a database's own settings (ALTER DATABASE … SET). */
  databaseSettings: 727278,
} as const;
