import client from "prom-client";

/** Every metric of ours starts with this; Node's default process metrics and the Kafka client's keep their own names. */
export const METRIC_PREFIX = "spgroup_";

/**
 * Prometheus metrics every service exposes on /metrics (documented in docs/metrics.md). Services
 * add their own through `gauge`, which prefixes the name.
 */
export function createMetrics(service: string) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: "HTTP request latency",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    groupCommitBatchSize: new client.Histogram({
      name: `${METRIC_PREFIX}group_commit_batch_size`,
      help: "Rows written per group-commit statement (e.g. orders of concurrent POSTs)",
      labelNames: ["writer"],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    eventsPublished: new client.Counter({ name: `${METRIC_PREFIX}events_published_total`, help: "Outbox events acknowledged by Kafka", registers: [registry] }),
    eventsConsumed: new client.Counter({ name: `${METRIC_PREFIX}events_consumed_total`, help: "Events applied", labelNames: ["topic"], registers: [registry] }),
    eventsDuplicated: new client.Counter({ name: `${METRIC_PREFIX}events_duplicate_total`, help: "Redelivered events recognised in the inbox and skipped", registers: [registry] }),
    eventsRejected: new client.Counter({ name: `${METRIC_PREFIX}events_rejected_total`, help: "Events that failed validation", labelNames: ["topic"], registers: [registry] }),
    eventsDeadLettered: new client.Counter({ name: `${METRIC_PREFIX}events_dead_lettered_total`, help: "Events sent to a dead-letter topic", labelNames: ["topic", "reason"], registers: [registry] }),
    consumerStalls: new client.Counter({ name: `${METRIC_PREFIX}consumer_stalls_total`, help: "Times the Kafka consumer received nothing while messages waited, and was rebuilt", registers: [registry] }),
    relayProducerRebuilds: new client.Counter({ name: `${METRIC_PREFIX}relay_producer_rebuilds_total`, help: "Times the outbox relay replaced its Kafka producer after it kept failing", registers: [registry] }),
    consumerReconnects: new client.Counter({ name: `${METRIC_PREFIX}consumer_reconnects_total`, help: "Times the Kafka consumer was rebuilt after its stream failed (a broker lost)", registers: [registry] }),
    /** The Kafka clients (producers, consumers) report into the same registry. */
    kafkaClients: { registry, client },
    gauge(name: string, help: string, collect: () => Promise<number> | number, labelNames: string[] = []) {
      return new client.Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          try {
            this.set(await collect());
          } catch {
            // A failed probe leaves the last value; /ready reports the outage.
          }
        },
      });
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
