import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Logger } from "../logger.ts";

/**
 * LISTENs on a PostgreSQL channel with a dedicated connection, reconnecting after failures, so
 * every instance of a service hears what any instance committed. Returns a stop function.
 */
export function listenToChannel(url: string, channel: string, onNotify: (payload: string) => void, logger: Logger): () => Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let running = true;
  let client: pg.Client | undefined;
  const loop = (async () => {
    while (running) {
      client = new pg.Client({ connectionString: url, application_name: `listen:${channel}` });
      const closed = new Promise<void>((resolve) => {
        client?.on("error", () => resolve());
        client?.on("end", () => resolve());
      });
      try {
        await client.connect();
        client.on("notification", (message) => onNotify(message.payload ?? ""));
        await client.query(`LISTEN ${channel}`);
        // A reconnect may have missed notifications: tell the listener to catch up.
        onNotify("");
        await closed;
      } catch (error) {
        logger.warn({ err: error, channel }, "LISTEN connection failed; retrying");
      }
      await client.end().catch(() => {});
      if (running) await sleep(1_000);
    }
  })();
  return async () => {
    running = false;
    await client?.end().catch(() => {});
    await loop;
  };
}
