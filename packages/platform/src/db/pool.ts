import pg from "pg";
import { DatabaseUnavailable, isUnreachableDatabaseError } from "./errors.ts";

// timestamptz (1184) and timestamp (1114) are returned as ISO-8601 strings with microseconds
// instead of JS Dates: campaign ranking compares created_at, and Date would drop the microseconds.
const TIMESTAMPTZ_OID = 1184;
pg.types.setTypeParser(TIMESTAMPTZ_OID, isoFromPostgres);
// numeric stays a string (pg's default): money is never a float.
// bigint (int8) as string is pg's default too; counts are cast to int in SQL where small.

/** "2026-11-25 03:31:00.1234+00" (session time zone UTC) → "2026-11-25T03:31:00.123400Z" */
export function isoFromPostgres(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?([+-]\d{2})(?::?(\d{2}))?$/.exec(text);
  if (!match) return text;
  const [, date, time, fraction = "", offsetHours = "+00", offsetMinutes = "00"] = match;
  if (offsetHours !== "+00" || offsetMinutes !== "00") {
    // Only reachable if a session changed its time zone. Date cannot read "+08" (no minutes), and
    // would drop the microseconds: shift the whole seconds to UTC and keep the fraction as it is.
    const sign = offsetHours.startsWith("-") ? -1 : 1;
    const offsetMs = sign * (Math.abs(Number(offsetHours)) * 60 + Number(offsetMinutes)) * 60_000;
    const seconds = new Date(Date.parse(`${date}T${time}Z`) - offsetMs).toISOString().slice(0, 19);
    return `${seconds}.${fraction.padEnd(6, "0")}Z`;
  }
  return `${date}T${time}.${fraction.padEnd(6, "0")}Z`;
}

export type Pool = pg.Pool;
export type DbClient = pg.PoolClient;
/** Anything that runs a query: the pool itself or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, "query">;

/** Session settings of a pool's connections, beyond the time zone every session gets. */
export interface SessionSettings {
  /** default_transaction_read_only: the sessions cannot write unless a transaction asks to. */
  readOnly?: boolean;
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout: a session idle inside an open transaction is ended. */
  idleInTransactionTimeoutMs?: number;
}

/** How long a pool refuses at once after its database failed to connect. */
export const FAIL_FAST_MS = 1_000;

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pool that, for FAIL_FAST_MS after a connection to its database failed (refused, reset, the
 * server shutting down or starting up), refuses new work at once with DatabaseUnavailable instead
 * of letting each caller make its own failed attempt: back-pressure, not a pile-up. Calls after the
 * window try again. A pool that is merely busy (its wait for a free connection timed out) is not a
 * database that is down and does not trip it. Per pool, so per database: one shard down refuses
 * only the work of its own customers.
 */
class FailFastPool extends pg.Pool {
  #until = 0;
  /** Set while the database is not brought up yet (unreachable at start): every call is refused. */
  held: string | undefined;

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const note = (error: unknown) => {
      if (isUnreachableDatabaseError(error)) this.#until = Date.now() + FAIL_FAST_MS;
    };
    if (this.held !== undefined || Date.now() < this.#until) {
      const error = new DatabaseUnavailable(this.held ?? "the database could not be reached a moment ago; retry shortly");
      if (!callback) return Promise.reject(error);
      queueMicrotask(() => callback(error, undefined, () => {}));
      return undefined;
    }
    if (!callback) {
      return super.connect().catch((error: unknown) => {
        note(error);
        throw error;
      });
    }
    super.connect((error, client, done) => {
      if (error) note(error);
      callback(error ?? undefined, client, done);
    });
    return undefined;
  }
}

/** Refuses every call on `pool` (DatabaseUnavailable with `reason`) until releasePool. */
export function holdPool(pool: pg.Pool, reason: string): void {
  if (pool instanceof FailFastPool) pool.held = reason;
}

export function releasePool(pool: pg.Pool): void {
  if (pool instanceof FailFastPool) pool.held = undefined;
}

export function createPool(connectionString: string, max = 20, applicationName = "spgroup", session: SessionSettings = {}): pg.Pool {
  const settings = ["timezone=UTC"];
  if (session.readOnly) settings.push("default_transaction_read_only=on");
  if (session.statementTimeoutMs !== undefined) settings.push(`statement_timeout=${Math.trunc(session.statementTimeoutMs)}`);
  if (session.idleInTransactionTimeoutMs !== undefined) settings.push(`idle_in_transaction_session_timeout=${Math.trunc(session.idleInTransactionTimeoutMs)}`);
  const pool = new FailFastPool({
    connectionString,
    max,
    application_name: applicationName,
    options: settings.map((s) => `-c ${s}`).join(" "),
    // Short: when the database is down, a request should learn it quickly (and answer 503).
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener the process dies.
  pool.on("error", () => {});
  // A client checked out of the pool has no error listener of the pool's any more: a socket that
  // dies without a FATAL message from the server (a reset, a crashed backend) would emit an
  // unheard "error" and kill the process. The query in flight rejects by itself and is handled
  // where it was sent; a checked-out client that errs while idle fails its next query.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Creates the database named in `url` if it does not exist, connecting to the server's `postgres` database. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsupported database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  // Bounded, and heard: a server that goes away while this runs must fail this call, not the process.
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        // 42P04: created meanwhile by another instance.
        if (error.code !== "42P04" && error.code !== "23505") throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** The server process (pg_backend_pid) behind a client's connection. */
export function backendPidOf(client: DbClient): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === "number" ? pid : undefined;
}

/**
 * Ends a database session and waits until it is gone, so that what its last statement did is
 * final: a statement whose client lost the connection may still run, and commit, on the server
 * until it next touches the socket. false when the session could not be seen to end in time.
 */
export async function endSession(db: Queryable, pid: number, timeoutMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  await db.query("SELECT pg_terminate_backend($1)", [pid]);
  for (;;) {
    const { rows } = await db.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]);
    if (rows.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
