import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type InfrastructureProcess, ROOT, startInfrastructureProcess } from "@spgroup/infra";
import type { TestProject } from "vitest/node";

let infrastructure: InfrastructureProcess | undefined;

/** One PostgreSQL and one Kafka broker for the whole run, on ports apart from `npm start`'s. */
export async function setup(project: TestProject) {
  const dataDir = join(ROOT, ".data", "test");
  await rm(dataDir, { recursive: true, force: true });
  infrastructure = await startInfrastructureProcess({
    dataDir,
    postgresPort: Number(process.env.TEST_POSTGRES_PORT ?? 55442),
    kafkaPort: Number(process.env.TEST_KAFKA_PORT ?? 19192),
    kafkaControllerPort: Number(process.env.TEST_KAFKA_CONTROLLER_PORT ?? 19193),
    partitions: 4,
  });
  project.provide("infra", { postgresUrl: infrastructure.postgresUrl, kafkaBrokers: infrastructure.kafkaBrokers });
}

export async function teardown() {
  await infrastructure?.stop();
}
