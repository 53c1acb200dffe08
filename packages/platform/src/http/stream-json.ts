import { Transform } from "node:stream";
import type pg from "pg";
import QueryStream from "pg-query-stream";

/**
 * Streams every row of a query as `{"data":[...]}` through a server-side cursor, so the whole
 * table is never held in memory; back-pressure from the HTTP socket pauses the cursor.
 */
export async function streamRowsAsJson(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<NodeJS.ReadableStream> {
  const client = await pool.connect();
  const rows = client.query(new QueryStream(sql, params, { batchSize: 1_000 }));
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
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  rows.on("end", () => release());
  rows.on("error", (error) => {
    release(error);
    json.destroy(error);
  });
  json.on("close", () => {
    if (!released) {
      rows.destroy();
      release(new Error("client went away mid-stream"));
    }
  });
  return rows.pipe(json);
}
