import { rm } from "node:fs/promises";
import { join } from "node:path";
import { localStackEnv, ROOT, type ServiceProcess, spawnService, startInfrastructureProcess } from "@spgroup/infra";

/** A fresh stack of its own for one benchmark run: infrastructure plus service processes. */
export async function startBenchStack(env: Record<string, string>) {
  const dataDir = join(ROOT, ".data", "bench");
  await rm(dataDir, { recursive: true, force: true });
  const infrastructure = await startInfrastructureProcess({ dataDir, postgresPort: 55462, kafkaPort: 19392, kafkaControllerPort: 19393 });
  const base = localStackEnv(infrastructure, { LOG_LEVEL: "warn", ...env });
  const services: ServiceProcess[] = [];
  try {
    services.push(await spawnService("order", { ...base, PORT: "18080" }, join(dataDir, "logs", "order.log")));
    services.push(await spawnService("payment", { ...base, PORT: "18081" }, join(dataDir, "logs", "payment.log")));
  } catch (error) {
    await Promise.allSettled(services.map((s) => s.stop()));
    await infrastructure.stop();
    throw error;
  }
  return {
    infrastructure,
    services,
    orderUrl: "http://127.0.0.1:18080",
    orderDbUrl: base.ORDER_DATABASE_URL as string,
    paymentDbUrl: base.PAYMENT_DATABASE_URL as string,
    async stop() {
      await Promise.allSettled(services.map((s) => s.stop()));
      await infrastructure.stop();
    },
  };
}
