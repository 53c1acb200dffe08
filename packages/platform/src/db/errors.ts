/**
 * Raised on our side when writes queue up faster than the database takes them (e.g. an order that
 * waited too long for its group commit): transient, answered 503 + Retry-After like a full pool.
 */
export class DatabaseOverloaded extends Error {}

/**
 * Raised on our side, without trying, when this pool's database failed to connect a moment ago
 * (createPool): transient, answered 503 + Retry-After. Only that database's callers are refused,
 * so one shard down does not turn away the customers of the others.
 */
export class DatabaseUnavailable extends Error {}

/**
 * Whether a database error is about reaching the database (retry it, however long) rather than
 * about the statement or its data (retrying changes nothing). SQLSTATE classes 08 (connection),
 * 53 (insufficient resources), 57P (shutdown), 40001/40P01 (serialization, deadlock), and the
 * timeouts of contention: 57014 (statement timeout or a cancelled query) and 55P03 (lock timeout).
 * A consumer retries these for as long as they last instead of dead-lettering the event: an event
 * skipped for a lock held by an operator's edit would leave a hole in the campaign's history.
 */
/**
 * Whether an error says the database server could not be reached or is not accepting sessions
 * (refused, unreachable, reset, shutting down or starting up) — not that this process's pool was
 * busy: pg-pool's "timeout exceeded when trying to connect" is also what a full pool says after
 * its wait, so it does not count.
 */
export function isUnreachableDatabaseError(error: unknown): boolean {
  // Our own pool's refusal during its fail-fast window after such an error.
  if (error instanceof DatabaseUnavailable) return true;
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  // 08: connection; 57P: shutting down, starting up; 53300: too many connections; 53100: disk full.
  if (/^(08|57P)/.test(code) || code === "53300" || code === "53100") return true;
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(code)) return true;
  return /Connection terminated|Client has encountered a connection error|connect ECONNREFUSED/i.test(e?.message ?? "");
}

export function isTransientDatabaseError(error: unknown): boolean {
  // Whatever says the server cannot be reached is transient too (one list, not two that disagree).
  if (error instanceof DatabaseOverloaded || isUnreachableDatabaseError(error)) return true;
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  // Besides: insufficient resources (53), serialization failure, deadlock, statement timeout, lock
  // not available; this process out of file descriptors for a new connection (EMFILE, ENFILE: a
  // server holding as many sockets as it may, not a database that is down); and a pool that
  // stayed full for its whole wait.
  if (/^53/.test(code) || ["40001", "40P01", "57014", "55P03", "EMFILE", "ENFILE"].includes(code)) return true;
  return /timeout exceeded when trying to connect/i.test(e?.message ?? "");
}
