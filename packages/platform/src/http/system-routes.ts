import { hostname } from "node:os";
import { Data, ErrorBody, SystemStatus } from "@spgroup/contracts";
import type pg from "pg";
import type { StringProducer } from "../kafka/client.ts";
import { outboxBacklog } from "../kafka/outbox.ts";
import { withDeadline } from "../timing.ts";
import type { HttpApp } from "./app.ts";

export interface SystemSources {
  service: string;
  readiness: () => Promise<Record<string, boolean>>;
  /** The service's consumer (one group per service), if it consumes; asked at each request. */
  consumer: () => { lagByPartition: () => Promise<{ group: string; partitions: { topic: string; partition: number; end: string; committed: string | null; lag: number }[] }> } | undefined;
  databases: readonly { name: string; pool: pg.Pool }[];
  producer: () => StringProducer;
}

const CALL_MS = 5_000;
const message = (error: unknown) => String((error as Error)?.message ?? error);

/**
 * GET `path` (operator role): this instance's health for the operators' System page: readiness checks, its
 * consumer group's lag per partition, each database's size and outbox backlog, and the Kafka
 * brokers it sees. Each part is bounded and says what failed instead of failing the whole answer.
 */
export function systemRoutes(app: HttpApp, path: string, sources: SystemSources): void {
  app.get(
    path,
    {
      // Hosts, brokers and group names are for those who run the sale, not for every viewer.
      config: { role: "operator" },
      schema: {
        tags: ["admin"],
        security: [{ admin: [] }],
        summary: "This instance (operators): readiness, consumer lag per partition, database sizes, outbox backlog, Kafka brokers (asked now, not cached)",
        response: { 200: Data(SystemStatus), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async () => {
      const eventConsumer = sources.consumer();
      const [checks, consumer, databases, kafka] = await Promise.all([
        withDeadline(sources.readiness(), CALL_MS, "readiness").catch(() => ({ answered: false })),
        eventConsumer
          ? withDeadline(eventConsumer.lagByPartition(), CALL_MS, "consumer lag").catch((error: unknown) => ({ group: "", partitions: [], error: message(error) }))
          : Promise.resolve(null),
        Promise.all(
          sources.databases.map(async ({ name, pool }) => {
            try {
              const [size, backlog] = await withDeadline(
                Promise.all([pool.query<{ bytes: string }>("SELECT pg_database_size(current_database())::text AS bytes"), outboxBacklog(pool)]),
                CALL_MS,
                `database ${name}`,
              );
              return { name, reachable: true, size_bytes: Number(size.rows[0]?.bytes ?? 0), outbox_backlog: backlog };
            } catch {
              return { name, reachable: false, size_bytes: null, outbox_backlog: null };
            }
          }),
        ),
        withDeadline(sources.producer().metadata({ topics: [], forceUpdate: true, retries: 0 }), CALL_MS, "Kafka metadata").then(
          (m) => ({
            cluster_id: m.id ?? null,
            controller_id: m.controllerId ?? null,
            brokers: [...m.brokers.entries()].map(([id, b]) => ({ id, host: b.host, port: b.port })).sort((a, b) => a.id - b.id),
          }),
          (error: unknown) => ({ cluster_id: null, controller_id: null, brokers: [], error: message(error) }),
        ),
      ]);
      return {
        data: {
          service: sources.service,
          instance: `${hostname()}:${process.pid}`,
          uptime_seconds: Math.round(process.uptime()),
          ready: Object.values(checks).every(Boolean),
          checks,
          consumer,
          databases,
          kafka,
        },
      };
    },
  );
}
