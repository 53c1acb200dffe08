import { Readable, Transform } from "node:stream";
import type pg from "pg";
import QueryStream from "pg-query-stream";

/**
 * The rows of an iterable once its first row (or its end) is in hand: a source that fails at once
 * (a shard down) rejects here, before the response's status and headers are sent.
 */
async function primed<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let next = first; !next.done; next = await iterator.next()) yield next.value;
      } finally {
        await iterator.return?.();
      }
    },
  };
}

function pipeRows(rows: Readable, format: Transform): NodeJS.ReadableStream {
  rows.on("error", (error) => format.destroy(error));
  format.on("close", () => rows.destroy());
  return rows.pipe(format);
}

/** Where the rows of a stream come from: one query on one database, or rows merged from several. */
export type RowSource = { pool: pg.Pool; sql: string; params: unknown[] } | AsyncIterable<Record<string, unknown>>;

function streamRows(source: RowSource, format: Transform): Promise<NodeJS.ReadableStream> {
  if (Symbol.asyncIterator in source) return primed(source).then((rows) => pipeRows(Readable.from(rows), format));

  const { pool, sql, params } = source;
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

/** The header line of a CSV document with these columns (names are ours: not quoted). */
function csvHeader(columns: readonly string[]): string {
  return `${columns.join(",")}\n`;
}

/** A whole CSV document of rows held in memory: header, then one line per row. */
export function csvDocument(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  return csvHeader(columns) + rows.map((row) => csvLine(row, columns)).join("");
}

/** Streams rows as CSV with the given columns (header first), cells always quoted. */
export function streamRowsAsCsv(source: RowSource, columns: readonly string[]): Promise<NodeJS.ReadableStream> {
  let first = true;
  const csv = new Transform({
    writableObjectMode: true,
    transform(row: Record<string, unknown>, _encoding, callback) {
      const header = first ? csvHeader(columns) : "";
      first = false;
      callback(null, header + csvLine(row, columns));
    },
    flush(callback) {
      callback(null, first ? csvHeader(columns) : "");
    },
  });
  return streamRows(source, csv);
}

/**
 * Streams every row as `{"data":[...]}` through a server-side cursor (or the merge of several),
 * so the whole table is never held in memory; back-pressure from the HTTP socket pauses the reads.
 */
export function streamRowsAsJson(source: RowSource): Promise<NodeJS.ReadableStream> {
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
  return streamRows(source, json);
}
