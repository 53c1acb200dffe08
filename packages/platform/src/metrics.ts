import client from "prom-client";

/** Every metric of ours starts with this; Node's default process metrics and the Kafka client's keep their own names. */
export const METRIC_PREFIX = "spgroup_";

/**
 * Prometheus metrics every service exposes on /metrics (documented in docs/metrics.md). Services
 * add their own through `gauge`, which prefixes the name.
 */
export function createMetrics(service: string) {
  const registry = new client.Registry();
  const counter = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry] });
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
    eventsPublished: counter("events_published_total", "Outbox events acknowledged by Kafka"),
    eventsConsumed: counter("events_consumed_total", "Events applied", ["topic"]),
    eventsDuplicated: counter("events_duplicate_total", "Redelivered events recognised in the inbox and skipped"),
    eventsParked: counter("events_parked_total", "Events set aside because their shard's database could not be reached (applied when it answers)"),
    eventsRejected: counter("events_rejected_total", "Events that failed validation", ["topic"]),
    eventsDeadLettered: counter("events_dead_lettered_total", "Events sent to a dead-letter topic", ["topic", "reason"]),
    consumerStalls: counter("consumer_stalls_total", "Times the Kafka consumer received nothing while messages waited, and was rebuilt"),
    relayProducerRebuilds: counter("relay_producer_rebuilds_total", "Times the outbox relay replaced its Kafka producer after it kept failing"),
    consumerReconnects: counter("consumer_reconnects_total", "Times the Kafka consumer was rebuilt after its stream failed (a broker lost)"),
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
