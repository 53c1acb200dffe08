import { Transform } from "node:stream";
import type pg from "pg";
import QueryStream from "pg-query-stream";

function streamRows(pool: pg.Pool, sql: string, params: unknown[], format: Transform): Promise<NodeJS.ReadableStream> {
  return pool.connect().then((client) => {
    const rows = client.query(new QueryStream(sql, params, { batchSize: 1_000 }));
    let released = false;
    const release = (error?: Error) => {
      if (released) return;
      released = true;
      client.release(error);
    };
    rows.on("end", () => release());
    rows.on("error", (error) => {
      release(error);
      format.destroy(error);
    });
    format.on("close", () => {
      if (!released) {
        rows.destroy();
        release(new Error("client went away mid-stream"));
      }
    });
    return rows.pipe(format);
  });
}

/**
 * One CSV cell, always quoted; null is empty. Text a spreadsheet would run as a formula (starting
 * with = + - @, or a tab or carriage return before one) gets a leading `'` (OWASP CSV injection).
 */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** One CSV line (with its newline) of `row`'s `columns`. */
export function csvLine(row: Record<string, unknown>, columns: readonly string[]): string {
  return `${columns.map((c) => csvCell(row[c])).join(",")}\n`;
}

/** Streams a query's rows as CSV with the given columns (header first), cells always quoted. */
export function streamRowsAsCsv(pool: pg.Pool, sql: string, params: unknown[], columns: readonly string[]): Promise<NodeJS.ReadableStream> {
  let first = true;
  const csv = new Transform({
    writableObjectMode: true,
    transform(row: Record<string, unknown>, _encoding, callback) {
      const header = first ? `${columns.join(",")}\n` : "";
      first = false;
      callback(null, header + csvLine(row, columns));
    },
    flush(callback) {
      callback(null, first ? `${columns.join(",")}\n` : "");
    },
  });
  return streamRows(pool, sql, params, csv);
}

/**
 * Streams every row of a query as `{"data":[...]}` through a server-side cursor, so the whole
 * table is never held in memory; back-pressure from the HTTP socket pauses the cursor.
 */
export function streamRowsAsJson(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<NodeJS.ReadableStream> {
  let first = true;
  const json = new Transform({
    writableObjectMode: true,
    transform(row, _encoding, callback) {
      const prefix = first ? '{"data":[' : ",";
      first = false;
      callback(null, prefix + JSON.stringify(row));
    },
    flush(callback) {
      callback(null, first ? '{"data":[]}' : "]}");
    },
  });
  return streamRows(pool, sql, params, json);
}
