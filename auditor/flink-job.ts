// Builds and runs the Flink auditor job (auditor/flink, Java): fetched and compiled by Maven like the
// Kafka broker, run as `java -cp target/classes:target/libs/*` in an embedded MiniCluster.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, openSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const FLINK_DIR = fileURLToPath(new URL("./flink/", import.meta.url));
const TARGET = join(FLINK_DIR, "target");

/** A winner as both engines state it: the fields the audit compares. */
export interface EngineWinner {
  rank: number;
  customer_id: string;
  customer_name: string;
  first_order_at: string;
  max_order_amount: string;
}

export interface FlinkAuditResult {
  engine: string;
  records_read: number;
  unreadable_records: number;
  tracked: (EngineWinner & { first_order_id: string; winner: boolean })[];
  winners: EngineWinner[];
  seconds: number;
}

export interface FlinkAuditInput {
  bootstrapServers: string;
  topic: string;
  start: string;
  end: string;
  maxTracked: number;
  minAmount: string;
  totalReward: number;
  /** partition → offset to stop before; absent: the end of each partition when the job starts. */
  stopOffsets?: Record<number, string>;
  /** Java heap of the MiniCluster (default 768 MB). */
  heapMb?: number;
  /** Parallelism of the job (default 2: this machine's cores). */
  parallelism?: number;
  log?: (line: string) => void;
  /** Called with the Java process's id once it runs (a benchmark samples its memory). */
  onStart?: (pid: number) => void;
  /** The job is killed past this (default 20 minutes: a partition without a leader never ends a bounded read). */
  timeoutMs?: number;
}

async function sourcesHash(): Promise<string> {
  const hash = createHash("sha256").update(await readFile(join(FLINK_DIR, "pom.xml")));
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else hash.update(entry.name).update(await readFile(path));
    }
  };
  await walk(join(FLINK_DIR, "src"));
  return hash.digest("hex");
}

/** The java command line of one mode of the job: heap, the project's classes and Flink's jars, options. */
function javaArgs(heapMb: number, mode: "audit" | "standings", options: Record<string, string | number>): string[] {
  return [
    `-Xmx${heapMb}m`,
    "-cp",
    `${join(TARGET, "classes")}:${join(TARGET, "libs", "*")}`,
    "sg.spgroup.auditor.Auditor",
    mode,
    ...Object.entries(options).map(([name, value]) => `--${name}=${value}`),
  ];
}

let built: Promise<void> | undefined;

/** Compiles the job and copies Flink's jars (Maven Central) unless this pom and these sources are built already. */
export function ensureFlinkAuditorBuilt(log: (line: string) => void = console.error): Promise<void> {
  built ??= (async () => {
    const stamp = join(TARGET, ".sources-sha256");
    const hash = await sourcesHash();
    if (existsSync(stamp) && (await readFile(stamp, "utf8")) === hash && existsSync(join(TARGET, "libs"))) return;
    log("building the Flink auditor with Maven (first time: fetches Flink, ~150 MB)…");
    await promisify(execFile)("mvn", ["-q", "-B", "package"], { cwd: FLINK_DIR, maxBuffer: 64 * 1024 * 1024 });
    await writeFile(stamp, hash);
  })().catch((error) => {
    built = undefined;
    throw error;
  });
  return built;
}

/** Runs the audit job and returns its result; rejects with the job's own words when it fails. */
export async function runFlinkAudit(input: FlinkAuditInput): Promise<FlinkAuditResult> {
  await ensureFlinkAuditorBuilt(input.log);
  const args = javaArgs(input.heapMb ?? 768, "audit", {
    "bootstrap-servers": input.bootstrapServers,
    topic: input.topic,
    start: input.start,
    end: input.end,
    "max-tracked": input.maxTracked,
    "min-amount": input.minAmount,
    "total-reward": input.totalReward,
    parallelism: input.parallelism ?? 2,
    ...(input.stopOffsets ? { "stop-offsets": Object.entries(input.stopOffsets).map(([p, o]) => `${p}:${o}`).join(",") } : {}),
  });
  return new Promise((resolve, reject) => {
    const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) input.onStart?.(child.pid);
    // Never outlive this process, nor the bound.
    const killChild = () => child.kill("SIGKILL");
    process.once("exit", killChild);
    const timeoutMs = input.timeoutMs ?? 20 * 60_000;
    const timer = setTimeout(() => {
      stderr += `\n(killed: no result within ${timeoutMs / 1000} s)`;
      killChild();
    }, timeoutMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      process.removeListener("exit", killChild);
      const line = stdout.split("\n").find((l) => l.startsWith("AUDIT_RESULT "));
      if (code === 0 && line) return resolve(JSON.parse(line.slice("AUDIT_RESULT ".length)) as FlinkAuditResult);
      reject(new Error(`the Flink audit job exited with ${code}:\n${stderr.slice(-4_000)}`));
    });
  });
}

export interface FlinkStandingsInput {
  bootstrapServers: string;
  topic: string;
  outputTopic: string;
  campaignId: number;
  start: string;
  end: string;
  maxTracked: number;
  minAmount: string;
  totalReward: number;
  /** The micro-batch: 60 s as the seed says; shorter in tests. */
  windowSeconds?: number;
  heapMb?: number;
  /** Where the job's own log goes (standard error); default: this process's standard error. */
  logFile?: string;
  log?: (line: string) => void;
}

/**
 * Starts the streaming job (the seed's one-minute micro-batch) for one campaign: it runs until
 * stopped, sending the campaign's standings after each minute to `outputTopic`.
 */
export async function startFlinkStandings(input: FlinkStandingsInput): Promise<{ pid: number; exited: Promise<number | null>; stop(): Promise<void> }> {
  await ensureFlinkAuditorBuilt(input.log);
  const stderr = input.logFile ? openSync(input.logFile, "a") : "inherit";
  const child = spawn(
    "java",
    javaArgs(input.heapMb ?? 512, "standings", {
      "bootstrap-servers": input.bootstrapServers,
      topic: input.topic,
      "output-topic": input.outputTopic,
      "campaign-id": input.campaignId,
      start: input.start,
      end: input.end,
      "max-tracked": input.maxTracked,
      "min-amount": input.minAmount,
      "total-reward": input.totalReward,
      "window-seconds": input.windowSeconds ?? 60,
    }),
    { stdio: ["ignore", "ignore", stderr] },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  if (child.pid === undefined) throw new Error("could not start java for the Flink standings job");
  return {
    pid: child.pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
