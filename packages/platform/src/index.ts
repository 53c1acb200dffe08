// What services, the launcher, the benchmarks and the tests use of the platform; nothing more (a
// name nobody imports stays inside its module).
export { mapBounded } from "./concurrency.ts";
export { ConfigError, configVariables, type EnvVariable, LOCAL_ADMIN_SECRET, loadPlatformConfig, readEnv, secretFrom } from "./config.ts";
export { isTransientDatabaseError } from "./db/errors.ts";
export { ADVISORY_LOCKS } from "./db/locks.ts";
export { GroupCommit } from "./db/group-commit.ts";
export { purgeOlderThan } from "./db/retention.ts";
export { backendPidOf, createPool, type DbClient, endSession, type Pool, type Queryable, withTransaction } from "./db/pool.ts";
export { AdminAuth, hashPassword } from "./http/admin-auth.ts";
export { type HttpApp, listen } from "./http/app.ts";
export { adminRecordRoutes } from "./http/admin-records.ts";
export { HttpError } from "./http/errors.ts";
export { shardRoutes } from "./http/shard-routes.ts";
export { logicalShardOfId, newId } from "./ids.ts";
export { loadShardMap, logicalShardOf, partitionOfKey, Shards } from "./db/shards.ts";
export type { ShardedSearch } from "./db/sharded-search.ts";
export { ensureTopics, PartitionCounter } from "./kafka/client.ts";
export { type ConsumedEvent, type DeadLetter, deadLetterTopic } from "./kafka/consumer.ts";
export { enqueueOutbox, OutboxRelay } from "./kafka/outbox.ts";
export type { Logger } from "./logger.ts";
export { bootService, type ServiceRuntime, stopOnSignals } from "./service.ts";
export { instantFilter, parseSort } from "./db/search.ts";
export { csvDocument } from "./http/stream-json.ts";
export { runEvery } from "./schedule.ts";
export { backoffMs, withDeadline } from "./timing.ts";
export { listenToChannel } from "./db/listen.ts";
export { CustomerAuth, LOCAL_CUSTOMER_SECRET } from "./http/customer-auth.ts";
