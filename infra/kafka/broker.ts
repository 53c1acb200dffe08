import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, openSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const KAFKA_DIR = fileURLToPath(new URL(".", import.meta.url));
const LIBS = join(KAFKA_DIR, "target", "libs");

/** Fetches the broker jars from Maven Central (infra/kafka/pom.xml) unless those of this pom are there. */
export async function ensureKafkaJars(log: (line: string) => void = console.log): Promise<void> {
  const pomHash = createHash("sha256").update(await readFile(join(KAFKA_DIR, "pom.xml"))).digest("hex");
  const stamp = join(LIBS, ".pom-sha256");
  const jars = existsSync(LIBS) ? (await readdir(LIBS)).filter((f) => f.endsWith(".jar")) : [];
  const stamped = existsSync(stamp) && (await readFile(stamp, "utf8")) === pomHash;
  if (stamped && jars.some((j) => j.startsWith("kafka_2.13-"))) return;
  log("fetching the Kafka broker jars with Maven…");
  await rm(LIBS, { recursive: true, force: true });
  await promisify(execFile)("mvn", ["-q", "-B", "package"], { cwd: KAFKA_DIR, maxBuffer: 64 * 1024 * 1024 });
  await writeFile(stamp, pomHash);
}

export interface KafkaBrokerOptions {
  dataDir: string;
  port: number;
  controllerPort: number;
  partitions?: number;
  heapMb?: number;
}

export interface RunningKafka {
  brokers: string;
  pid: number;
  stop(): Promise<void>;
}

function serverProperties(o: KafkaBrokerOptions): string {
  // Single-node KRaft: this process is both controller and broker.
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${o.controllerPort}
listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${join(o.dataDir, "logs")}
num.partitions=${o.partitions ?? 6}
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=268435456
`;
}

/** Formats (first time) and starts a single-node KRaft broker; resolves once it accepts connections. */
export async function startKafka(o: KafkaBrokerOptions): Promise<RunningKafka> {
  await ensureKafkaJars();
  await mkdir(o.dataDir, { recursive: true });
  await stopStaleBroker(o.dataDir);
  const config = join(o.dataDir, "server.properties");
  await writeFile(config, serverProperties(o));
  const classpath = `${LIBS}/*`;
  if (!existsSync(join(o.dataDir, "logs", "meta.properties"))) {
    const clusterId = randomBytes(16).toString("base64url");
    await promisify(execFile)("java", ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config]);
  }
  const out = openSync(join(o.dataDir, "broker.log"), "a");
  const child: ChildProcess = spawn(
    "java",
    [
      `-Xms${Math.min(256, o.heapMb ?? 1024)}m`,
      `-Xmx${o.heapMb ?? 1024}m`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${join(KAFKA_DIR, "log4j2.properties")}`,
      "-cp",
      classpath,
      "kafka.Kafka",
      config,
    ],
    { stdio: ["ignore", out, out] },
  );
  if (!child.pid) throw new Error("could not start the Kafka broker (is Java 17 installed?)");
  await writeFile(join(o.dataDir, "broker.pid"), String(child.pid));
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 90_000;
  while (!(await canConnect(o.port))) {
    if (exited) throw new Error(`the Kafka broker exited at start; see ${join(o.dataDir, "broker.log")}`);
    if (Date.now() > deadline) throw new Error("the Kafka broker did not start within 90 s");
    await sleep(250);
  }
  return {
    brokers: `127.0.0.1:${o.port}`,
    pid: child.pid,
    async stop() {
      if (exited) return;
      const done = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** A broker left running by a launcher that was killed holds the data dir's lock; stop it by its PID. */
async function stopStaleBroker(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "broker.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(await readFile(pidFile, "utf8"));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes("kafka.Kafka") || !cmdline.includes(dataDir)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 120 && existsSync(`/proc/${pid}`); i++) await sleep(250);
}

export function canConnect(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
