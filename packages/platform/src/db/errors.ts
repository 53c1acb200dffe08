/**
 * Whether a database error is about reaching the database (retry it, however long) rather than
 * about the statement or its data (retrying changes nothing). SQLSTATE classes 08 (connection),
 * 53 (insufficient resources), 57P (shutdown), 40001/40P01 (serialization, deadlock).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  if (/^(08|53|57P)/.test(code) || code === "40001" || code === "40P01") return true;
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(e?.message ?? "");
}
