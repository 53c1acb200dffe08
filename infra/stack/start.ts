// `npm start`: brings the whole platform up on this machine and stops it on Ctrl-C.
import { join } from "node:path";
import exitHook from "async-exit-hook";
import { LOCAL_ADMIN_NOTE, localStackEnv, PORTS } from "./local-stack.ts";
import { buildPortal, portalEnv, ROOT, type ServiceProcess, spawnService, startInfrastructure } from "./index.ts";

const dataDir = process.env.DATA_DIR ?? join(ROOT, ".data", "local");
const log = (line: string) => console.log(`[stack] ${line}`);

log("building the admin portal…");
await buildPortal();
log(`starting PostgreSQL on 127.0.0.1:${PORTS.postgres} and Kafka on 127.0.0.1:${PORTS.kafka} (data in ${dataDir})…`);
const infrastructure = await startInfrastructure({
  dataDir,
  postgresPort: PORTS.postgres,
  kafkaPort: PORTS.kafka,
  kafkaControllerPort: PORTS.kafkaController,
});
const env = localStackEnv({ postgresUrl: infrastructure.postgres.url("postgres"), kafkaBrokers: infrastructure.kafka.brokers });
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
  log(`  PostgreSQL       ${infrastructure.postgres.url("order_db")}, …/payment_db, …/campaign_db`);
  log(`  Kafka            ${infrastructure.kafka.brokers}`);
  log(`  service logs     ${logs}`);
  log(LOCAL_ADMIN_NOTE);
  log("press Ctrl-C to stop everything");
} catch (error) {
  console.error(error);
  await stopAll(1);
  process.exit(1);
}
