// Builds and runs the Flink auditor job (auditor/flink, Java): fetched and compiled by Maven like the
// Kafka broker, run as `java -cp target/classes:target/libs/*` in an embedded MiniCluster.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
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
  const args = [
    `-Xmx${input.heapMb ?? 768}m`,
    "-cp",
    `${join(TARGET, "classes")}:${join(TARGET, "libs", "*")}`,
    "sg.spgroup.auditor.Auditor",
    "audit",
    `--bootstrap-servers=${input.bootstrapServers}`,
    `--topic=${input.topic}`,
    `--start=${input.start}`,
    `--end=${input.end}`,
    `--max-tracked=${input.maxTracked}`,
    `--min-amount=${input.minAmount}`,
    `--total-reward=${input.totalReward}`,
    `--parallelism=${input.parallelism ?? 2}`,
    ...(input.stopOffsets ? [`--stop-offsets=${Object.entries(input.stopOffsets).map(([p, o]) => `${p}:${o}`).join(",")}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) input.onStart?.(child.pid);
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
      const line = stdout.split("\n").find((l) => l.startsWith("AUDIT_RESULT "));
      if (code === 0 && line) return resolve(JSON.parse(line.slice("AUDIT_RESULT ".length)) as FlinkAuditResult);
      reject(new Error(`the Flink audit job exited with ${code}:\n${stderr.slice(-4_000)}`));
    });
  });
}
