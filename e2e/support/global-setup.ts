import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type InfrastructureProcess, ROOT, startInfrastructureProcess } from "@spgroup/infra";
import type { TestProject } from "vitest/node";
import { getPort } from "./ports.ts";

let infrastructure: InfrastructureProcess | undefined;
let dataDir: string | undefined;

/** One PostgreSQL and one Kafka broker for the whole run, on ports apart from `npm start`'s. */
export async function setup(project: TestProject) {
  // Each run its own folder: two runs at once (a developer's and a helper's, or two targeted
  // files) must not delete each other's databases. Logs of service processes stay in .data/test/logs.
  dataDir = join(ROOT, ".data", "test", `infra-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  infrastructure = await startInfrastructureProcess({
    dataDir,
    // Free ports picked by the kernel: a test run never collides with `npm start`, a benchmark or
    // another run still shutting down.
    postgresPort: await getPort(),
    kafkaPort: await getPort(),
    kafkaControllerPort: await getPort(),
    partitions: 4,
  });
  project.provide("infra", { postgresUrl: infrastructure.postgresUrl, kafkaBrokers: infrastructure.kafkaBrokers });
}

export async function teardown() {
  await infrastructure?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
}
