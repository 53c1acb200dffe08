// Runs PostgreSQL and Kafka in this process for a parent (the test run, a benchmark) and stops
// them when told to (SIGTERM) or when the parent goes away (stdin closes). Prints one line,
// `READY {"postgresUrl":…,"kafkaBrokers":…}`, once both accept connections.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startInfrastructure } from "./index.ts";

const options = JSON.parse(process.argv[2] ?? "{}");
mkdirSync(options.dataDir, { recursive: true });
const postgresLog = join(options.dataDir, "postgres.log");
const infrastructure = await startInfrastructure({ ...options, log: (line: string) => appendFileSync(postgresLog, `${line}\n`) });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await infrastructure.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ postgresUrl: infrastructure.postgres.url("postgres"), kafkaBrokers: infrastructure.kafka.brokers, kafkaReplicationFactor: infrastructure.kafka.replicationFactor, shardServerUrls: infrastructure.shardServers.map((server) => server.url("postgres")) })}\n`);
