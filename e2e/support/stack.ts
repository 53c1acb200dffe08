import { join } from "node:path";
import { type SERVICES, type ServiceProcess, spawnService } from "@spgroup/infra";
import { isolatedEnv, SPAWNED_LOG_LEVEL, type SharedInfra, TEST_LOG_FILES, testLogDir, testPool } from "@spgroup/infra/testing";
import { getPort } from "./ports.ts";

type ServiceName = keyof typeof SERVICES;

/** Order and payment services as real processes, on their own databases and topics. */
export async function startProcessStack(infra: SharedInfra, extra: Record<string, string> = {}) {
  // Each process writes its log to a file, so they can be chattier than in-process services.
  // Each process writes its standard output to a file of its own (kept, and shown if the test fails).
  const isolated = isolatedEnv(infra, { LOG_LEVEL: SPAWNED_LOG_LEVEL, LOG_FILE: "", ...extra });
  const logs = testLogDir(isolated.suffix);
  const spawnOne = async (name: ServiceName, more: Record<string, string> = {}) => {
    const file = join(logs, `${name}.log`);
    TEST_LOG_FILES.add(file);
    return spawnService(name, { ...isolated.env, PORT: String(await getPort()), ...more }, file);
  };
  const processes: ServiceProcess[] = [];
  const order = await spawnOne("order");
  const payment = await spawnOne("payment");
  processes.push(order, payment);
  const orderDb = testPool(isolated.env.ORDER_DATABASE_URL as string);
  const paymentDb = testPool(isolated.env.PAYMENT_DATABASE_URL as string);
  const campaignDb = testPool(isolated.env.CAMPAIGN_DATABASE_URL as string);
  let stopped = false;
  return {
    ...isolated,
    order,
    payment,
    orderDb,
    paymentDb,
    campaignDb,
    logs,
    /** Starts one more service process (a restart, or a second instance). */
    async spawn(name: ServiceName, more: Record<string, string> = {}) {
      const started = await spawnOne(name, more);
      processes.push(started);
      return started;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled(processes.map((p) => p.stop()));
      await orderDb.end();
      await paymentDb.end();
      await campaignDb.end();
    },
  };
}
