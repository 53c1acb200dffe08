import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type InfrastructureProcess, ROOT, startInfrastructureProcess } from "@spgroup/infra";
import type { TestProject } from "vitest/node";
import { getPorts } from "./ports.ts";

let infrastructure: InfrastructureProcess | undefined;
let dataDir: string | undefined;

/** One PostgreSQL and one Kafka broker for the whole run, on ports apart from `npm start`'s. */
export async function setup(project: TestProject) {
  // Each run its own folder: two runs at once (a developer's and a helper's, or two targeted
  // files) must not delete each other's databases. Logs of service processes stay in .data/test/logs.
  dataDir = join(ROOT, ".data", "test", `infra-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  // Free ports picked by the kernel, distinct: a test run never collides with `npm start`, a
  // benchmark or another run still shutting down, nor PostgreSQL with Kafka.
  const [postgresPort, kafkaPort, kafkaControllerPort] = (await getPorts(3)) as [number, number, number];
  infrastructure = await startInfrastructureProcess({ dataDir, postgresPort, kafkaPort, kafkaControllerPort, partitions: 4 });
  project.provide("infra", { postgresUrl: infrastructure.postgresUrl, kafkaBrokers: infrastructure.kafkaBrokers });
}

export async function teardown() {
  await infrastructure?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
}
