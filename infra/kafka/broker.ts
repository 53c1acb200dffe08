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

let jarsReady: Promise<void> | undefined;

/**
 * Fetches the broker jars from Maven Central (infra/kafka/pom.xml) unless those of this pom are
 * there. Once per process: the nodes of a cluster start concurrently and share the one fetch.
 */
export function ensureKafkaJars(log: (line: string) => void = console.log): Promise<void> {
  jarsReady ??= fetchKafkaJars(log).catch((error) => {
    jarsReady = undefined;
    throw error;
  });
  return jarsReady;
}

async function fetchKafkaJars(log: (line: string) => void): Promise<void> {
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
  /**
   * 1 (default): one process that is broker and controller. 3: a KRaft cluster of three such
   * processes on consecutive port pairs (port, port+2, port+4; controllers likewise), replication
   * factor 3 and min.insync.replicas 2 — what a deployment needs to survive the loss of a broker.
   */
  nodes?: 1 | 3;
  /** Explicit ports per node instead of the consecutive pairs (tests use ports the kernel picked). */
  nodePorts?: { port: number; controllerPort: number }[];
  partitions?: number;
  heapMb?: number;
}

export interface KafkaNode {
  nodeId: number;
  port: number;
  controllerPort: number;
  /** The node's own directory (configuration, logs, pid file). */
  dataDir: string;
}

export interface RunningKafka {
  /** Bootstrap list, comma-separated. */
  brokers: string;
  /** Replication factor the topics of this cluster should get. */
  replicationFactor: number;
  nodes: (KafkaNode & { pid: number })[];
  stop(): Promise<void>;
}

/** Where each node of a cluster lives: a single node keeps the data dir itself, a cluster one subdirectory per node. */
export function kafkaNodes(o: Pick<KafkaBrokerOptions, "dataDir" | "port" | "controllerPort" | "nodes" | "nodePorts">): KafkaNode[] {
  const count = o.nodes ?? 1;
  return Array.from({ length: count }, (_, i) => ({
    nodeId: i + 1,
    port: o.nodePorts?.[i]?.port ?? o.port + 2 * i,
    controllerPort: o.nodePorts?.[i]?.controllerPort ?? o.controllerPort + 2 * i,
    dataDir: count === 1 ? o.dataDir : join(o.dataDir, `node-${i + 1}`),
  }));
}

function serverProperties(node: KafkaNode, all: KafkaNode[], partitions: number): string {
  // Every node is broker and controller (combined mode); the controllers form the KRaft quorum.
  const replicas = all.length;
  const minIsr = replicas === 1 ? 1 : replicas - 1;
  return `process.roles=broker,controller
node.id=${node.nodeId}
controller.quorum.voters=${all.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(",")}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${join(node.dataDir, "logs")}
num.partitions=${partitions}
auto.create.topics.enable=false
default.replication.factor=${replicas}
min.insync.replicas=${minIsr}
unclean.leader.election.enable=false
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minIsr}
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${minIsr}
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=268435456
`;
}

/**
 * Formats (first time) and starts a KRaft broker, or a cluster of three; resolves once every node
 * accepts connections.
 */
export async function startKafka(o: KafkaBrokerOptions): Promise<RunningKafka> {
  await ensureKafkaJars();
  const nodes = kafkaNodes(o);
  await mkdir(o.dataDir, { recursive: true });
  const clusterIdFile = join(o.dataDir, "cluster-id");
  if (!existsSync(clusterIdFile)) await writeFile(clusterIdFile, newClusterId());
  const clusterId = (await readFile(clusterIdFile, "utf8")).trim();
  const started = await Promise.allSettled(nodes.map((node) => startKafkaNode(node, nodes, { ...o, clusterId })));
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await Promise.allSettled(running.map((n) => n.stop()));
    throw failed.reason;
  }
  return {
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`).join(","),
    replicationFactor: nodes.length,
    nodes: running.map((n) => ({ ...n.node, pid: n.pid })),
    async stop() {
      await Promise.allSettled(running.map((n) => n.stop()));
    },
  };
}

export interface RunningKafkaNode {
  node: KafkaNode;
  pid: number;
  stop(): Promise<void>;
}

/** Starts one node of a cluster laid out by kafkaNodes (also to bring a killed node back). */
export async function startKafkaNode(
  node: KafkaNode,
  all: KafkaNode[],
  o: { clusterId?: string; partitions?: number; heapMb?: number },
): Promise<RunningKafkaNode> {
  await ensureKafkaJars();
  await mkdir(node.dataDir, { recursive: true });
  await stopStaleBroker(node.dataDir);
  const config = join(node.dataDir, "server.properties");
  await writeFile(config, serverProperties(node, all, o.partitions ?? 6));
  const classpath = `${LIBS}/*`;
  if (!existsSync(join(node.dataDir, "logs", "meta.properties"))) {
    const clusterId = o.clusterId ?? newClusterId();
    await promisify(execFile)("java", ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config]);
  }
  const heapMb = o.heapMb ?? (all.length === 1 ? 1024 : 512);
  const out = openSync(join(node.dataDir, "broker.log"), "a");
  const child: ChildProcess = spawn(
    "java",
    [
      `-Xms${Math.min(256, heapMb)}m`,
      `-Xmx${heapMb}m`,
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
  await writeFile(join(node.dataDir, "broker.pid"), String(child.pid));
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 90_000;
  while (!(await canConnect(node.port))) {
    if (exited) throw new Error(`the Kafka broker exited at start; see ${join(node.dataDir, "broker.log")}`);
    if (Date.now() > deadline) throw new Error(`the Kafka broker did not start within 90 s; see ${join(node.dataDir, "broker.log")}`);
    await sleep(250);
  }
  return {
    node,
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

/** 16 random bytes in base64url, as Kafka's own ids; like Kafka, never one that starts with "-" (it would read as an option). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
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
