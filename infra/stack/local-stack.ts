
/** Ports of the local stack (the seed's service ports; PostgreSQL and Kafka off their usual ports). */
export const PORTS = {
  order: Number(process.env.ORDER_PORT ?? 8080),
  payment: Number(process.env.PAYMENT_PORT ?? 8081),
  campaign: Number(process.env.CAMPAIGN_PORT ?? 8082),
  portal: Number(process.env.PORTAL_PORT ?? 3000),
  postgres: Number(process.env.STACK_POSTGRES_PORT ?? 15432),
  kafka: Number(process.env.STACK_KAFKA_PORT ?? 19092),
  kafkaController: Number(process.env.STACK_KAFKA_CONTROLLER_PORT ?? 19093),
};

export const LOCAL_ADMIN_NOTE =
  "admin sign-in: POST /api/admin/v1/auth/login {\"username\":\"admin\",\"password\":\"admin\"} (local defaults; set ADMIN_PASSWORD_HASH and ADMIN_TOKEN_SECRET in production)";

/** The URL of another database on the server that `serverUrl` points at. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The environment every service process of a stack gets. With several shard servers (URLs of any
 * database on each), shard k's order and payment databases are order_k and payment_k on the k-th,
 * and the campaign waits for every order shard's watermark.
 */
export function localStackEnv(
  infrastructure: { postgresUrl: string; kafkaBrokers: string; kafkaReplicationFactor?: number; shardServerUrls?: string[] },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ORDER_DATABASE_URL: databaseUrl(infrastructure.postgresUrl, "order_db"),
    PAYMENT_DATABASE_URL: databaseUrl(infrastructure.postgresUrl, "payment_db"),
    CAMPAIGN_DATABASE_URL: databaseUrl(infrastructure.postgresUrl, "campaign_db"),
    KAFKA_BROKERS: infrastructure.kafkaBrokers,
    KAFKA_REPLICATION_FACTOR: String(infrastructure.kafkaReplicationFactor ?? 1),
    ...shardEnv(infrastructure.shardServerUrls ?? []),
    ...extra,
  };
}

/** ORDER_SHARDS, PAYMENT_SHARDS and CAMPAIGN_WATERMARK_SOURCES for shards on these servers (none for one). */
export function shardEnv(serverUrls: readonly string[], prefix = ""): Record<string, string> {
  if (serverUrls.length <= 1) return {};
  const list = (service: string) => serverUrls.map((url, k) => `${service}_${k}=${databaseUrl(url, `${prefix}${service}_${k}`)}`).join(",");
  return {
    ORDER_SHARDS: list("order"),
    PAYMENT_SHARDS: list("payment"),
    CAMPAIGN_WATERMARK_SOURCES: serverUrls.map((_, k) => `order_${k}`).join(","),
  };
}
