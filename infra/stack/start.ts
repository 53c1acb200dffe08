// `npm start`: brings the whole platform up on this machine and stops it on Ctrl-C.
import { join } from "node:path";
import exitHook from "async-exit-hook";
import { LOCAL_ADMIN_NOTE, localStackEnv, PORTS } from "./local-stack.ts";
import { buildPortal, portalEnv, ROOT, type ServiceProcess, spawnService, startInfrastructure } from "./index.ts";

// SHARDS=4 npm start: four order and four payment databases, one PostgreSQL server per shard.
const shards = Number(process.env.SHARDS ?? 1);
if (!Number.isInteger(shards) || shards < 1 || shards > 16) {
  console.error(`SHARDS must be an integer from 1 to 16, got ${process.env.SHARDS}`);
  process.exit(2);
}
// Each shard count keeps its own data: databases record the shards they hold, and a campaign waits
// for every order database it has heard of, so one folder cannot serve two layouts.
const dataDir = process.env.DATA_DIR ?? join(ROOT, ".data", shards === 1 ? "local" : `local-${shards}-shards`);
const log = (line: string) => console.log(`[stack] ${line}`);

log("building the admin portal…");
await buildPortal();
log(`starting PostgreSQL on 127.0.0.1:${PORTS.postgres} and Kafka on 127.0.0.1:${PORTS.kafka} (data in ${dataDir})…`);
const infrastructure = await startInfrastructure({
  dataDir,
  postgresPort: PORTS.postgres,
  kafkaPort: PORTS.kafka,
  kafkaControllerPort: PORTS.kafkaController,
  shards,
});
const env = localStackEnv({
  postgresUrl: infrastructure.postgres.url("postgres"),
  kafkaBrokers: infrastructure.kafka.brokers,
  shardServerUrls: infrastructure.shardServers.map((server) => server.url("postgres")),
});
const services: ServiceProcess[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  await Promise.allSettled(services.map((s) => s.stop()));
  await infrastructure.stop();
  log("stopped");
  process.exitCode = code;
}
// On SIGINT/SIGTERM, stop the services, Kafka and PostgreSQL before the process exits.
exitHook((done) => {
  void stopAll(0).finally(done);
});

try {
  const logs = join(dataDir, "logs");
  services.push(await spawnService("order", { ...env, PORT: String(PORTS.order), KAFKA_GROUP_INSTANCE_ID: "order-1" }, join(logs, "order.log")));
  services.push(await spawnService("payment", { ...env, PORT: String(PORTS.payment), KAFKA_GROUP_INSTANCE_ID: "payment-1" }, join(logs, "payment.log")));
  services.push(await spawnService("campaign", { ...env, PORT: String(PORTS.campaign), KAFKA_GROUP_INSTANCE_ID: "campaign-1" }, join(logs, "campaign.log")));
  services.push(await spawnService("portal", { ...portalEnv(PORTS), PORT: String(PORTS.portal) }, join(logs, "portal.log")));
  for (const s of services) {
    void s.exited.then((code) => {
      if (!stopping) {
        log(`${s.name} service exited (code ${code}); see ${join(logs, `${s.name}.log`)}`);
        void stopAll(1).then(() => process.exit(1));
      }
    });
  }
  log("ready:");
  log(`  admin portal     http://localhost:${PORTS.portal}   (sign in: admin / admin)`);
  log(`  order service    http://localhost:${PORTS.order}   (docs: /docs)`);
  log(`  payment service  http://localhost:${PORTS.payment}   (docs: /docs)`);
  log(`  campaign service http://localhost:${PORTS.campaign}   (docs: /docs)`);
  if (shards === 1) log(`  PostgreSQL       ${infrastructure.postgres.url("order_db")}, …/payment_db, …/campaign_db`);
  else log(`  PostgreSQL       ${shards} shards: ${infrastructure.shardServers.map((server, k) => server.url(`order_${k}`)).join(", ")} (and payment_k beside each order_k); campaign_db on the first`);
  log(`  Kafka            ${infrastructure.kafka.brokers}`);
  log(`  service logs     ${logs}`);
  log(LOCAL_ADMIN_NOTE);
  log("press Ctrl-C to stop everything");
} catch (error) {
  console.error(error);
  await stopAll(1);
  process.exit(1);
}
