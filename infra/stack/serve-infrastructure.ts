// Runs PostgreSQL and Kafka in this process for a parent (the test run, a benchmark) and stops
// them when told to (SIGTERM) or when the parent goes away (stdin closes). Prints one line,
// `READY {"postgresUrl":…,"kafkaBrokers":…}`, once both accept connections.
import { startInfrastructure } from "./index.ts";

const options = JSON.parse(process.argv[2] ?? "{}");
const infrastructure = await startInfrastructure(options);
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
process.stdout.write(`READY ${JSON.stringify({ postgresUrl: infrastructure.postgres.url("postgres"), kafkaBrokers: infrastructure.kafka.brokers })}\n`);
