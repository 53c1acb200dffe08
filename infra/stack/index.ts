import { type ChildProcess, execFile, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type RunningKafka, startKafka } from "../kafka/broker.ts";
import { type RunningPostgres, startPostgres } from "../postgres/embedded.ts";
import { PORTAL_SERVICES, type PortalService, UPSTREAMS } from "../../apps/admin-portal/server/routes.ts";

export { localStackEnv, shardEnv } from "./local-stack.ts";
export { startPostgres } from "../postgres/embedded.ts";
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Partitions of every topic the local stack's broker creates unless told otherwise. */
export const DEFAULT_PARTITIONS = 6;

export interface InfrastructureOptions {
  dataDir: string;
  postgresPort: number;
  kafkaPort: number;
  kafkaControllerPort: number;
  /** 3: a three-node KRaft cluster (replication factor 3, min.insync.replicas 2) instead of one broker. */
  kafkaNodes?: 1 | 3;
  partitions?: number;
  /**
   * Shards of the order and payment databases (default 1). Shard 0 lives on the main server; each
   * further shard k gets a PostgreSQL server of its own on postgresPort + 10 + k, holding order_k
   * and payment_k (a shard's two databases fail and scale together).
   */
  shards?: number;
  log?: (line: string) => void;
}

export interface Infrastructure {
  postgres: RunningPostgres;
  /** The server of each shard (the first is `postgres`). */
  shardServers: RunningPostgres[];
  kafka: RunningKafka;
  stop(): Promise<void>;
}

/** Starts PostgreSQL and the Kafka broker side by side; both keep their data under dataDir. */
export async function startInfrastructure(o: InfrastructureOptions): Promise<Infrastructure> {
  await mkdir(o.dataDir, { recursive: true });
  const extraShards = Array.from({ length: Math.max(0, (o.shards ?? 1) - 1) }, (_, i) => i + 1);
  const [postgres, kafka, ...others] = await Promise.all([
    startPostgres({ dataDir: join(o.dataDir, "postgres"), port: o.postgresPort, ...(o.log ? { log: o.log } : {}) }),
    startKafka({ dataDir: join(o.dataDir, "kafka"), port: o.kafkaPort, controllerPort: o.kafkaControllerPort, nodes: o.kafkaNodes ?? 1, partitions: o.partitions ?? DEFAULT_PARTITIONS }),
    ...extraShards.map((k) => startPostgres({ dataDir: join(o.dataDir, `postgres-shard-${k}`), port: o.postgresPort + 10 + k, ...(o.log ? { log: o.log } : {}) })),
  ]);
  const shardServers = [postgres, ...(others as RunningPostgres[])];
  return {
    postgres,
    shardServers,
    kafka,
    async stop() {
      await Promise.allSettled([kafka.stop(), ...shardServers.map((server) => server.stop())]);
    },
  };
}

export interface InfrastructureProcess {
  postgresUrl: string;
  kafkaBrokers: string;
  kafkaReplicationFactor: number;
  /** A URL on each shard's PostgreSQL server (the first is postgresUrl's). */
  shardServerUrls: string[];
  stop(): Promise<void>;
}

/**
 * Runs startInfrastructure in a child process, so that a test run or a benchmark keeps its own
 * exit code and the infrastructure stops when that process is gone.
 */
export async function startInfrastructureProcess(options: Omit<InfrastructureOptions, "log">): Promise<InfrastructureProcess> {
  const child = spawn(process.execPath, [join(ROOT, "infra/stack/serve-infrastructure.ts"), JSON.stringify(options)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const ready = await new Promise<{ postgresUrl: string; kafkaBrokers: string; kafkaReplicationFactor: number; shardServerUrls: string[] }>((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith("READY "));
      if (line) resolve(JSON.parse(line.slice("READY ".length)));
    });
    void exited.then((code) => reject(new Error(`the infrastructure process exited (code ${code}) before it was ready`)));
  });
  return {
    ...ready,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export const SERVICES = {
  order: join(ROOT, "services/order/src/main.ts"),
  payment: join(ROOT, "services/payment/src/main.ts"),
  campaign: join(ROOT, "services/campaign/src/main.ts"),
  portal: join(ROOT, "apps/admin-portal/server/serve.ts"),
} as const;

/** Builds the admin portal (Vite production build) into apps/admin-portal/dist. */
export async function buildPortal(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(ROOT, "apps/admin-portal") });
}

/** The environment of the portal server: where each service is. */
export function portalEnv(ports: Record<PortalService, number>): Record<string, string> {
  // The variable names are the portal's own route table's (apps/admin-portal/server/routes.ts).
  return Object.fromEntries(PORTAL_SERVICES.map((service) => [UPSTREAMS[service].env, `http://127.0.0.1:${ports[service]}`]));
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const spawned = new Set<ChildProcess>();

/** Stops every service process this process spawned and that still runs (an interrupted benchmark). */
export function killSpawnedServices(signal: NodeJS.Signals = "SIGTERM"): void {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

/** Runs a service as its own process (on this Node), logs to logFile, resolves once /health answers. */
export async function spawnService(name: keyof typeof SERVICES, env: Record<string, string>, logFile: string): Promise<ServiceProcess> {
  await mkdir(dirname(logFile), { recursive: true });
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, [SERVICES[name]], { env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
  spawned.add(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  void exited.then(() => spawned.delete(child));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const port = Number(env.PORT);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (gone) throw new Error(`${name} service exited at start; see ${logFile}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`${name} service did not become healthy within 60 s; see ${logFile}`);
    await sleep(200);
  }
  return {
    name,
    child,
    port,
    url,
    exited,
    async stop(signal = "SIGTERM") {
      if (gone) return;
      child.kill(signal);
      await exited;
    },
  };
}
