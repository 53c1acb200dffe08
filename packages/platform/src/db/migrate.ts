import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import { withTransaction } from "./pool.ts";

export interface MigrationTrack {
  /** Name of the track: "platform" for outbox/inbox, the service name for its own tables. */
  name: string;
  dir: string;
}

/**
 * Applies numbered, forward-only SQL files (`001_name.sql`) in order, each in its own transaction,
 * recording them in schema_migrations. An advisory lock lets several instances start at once.
 */
export async function migrate(pool: pg.Pool, tracks: MigrationTrack[]): Promise<string[]> {
  const applied: string[] = [];
  await withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(727274)");
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      track text NOT NULL, version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (track, version))`);
    for (const track of tracks) {
      const files = (await readdir(track.dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
      const { rows } = await client.query<{ version: string }>(
        "SELECT version FROM schema_migrations WHERE track = $1",
        [track.name],
      );
      const done = new Set(rows.map((r) => r.version));
      for (const file of files) {
        if (done.has(file)) continue;
        const sql = await readFile(join(track.dir, file), "utf8");
        await client.query("SAVEPOINT migration");
        try {
          await client.query(sql);
        } catch (error) {
          throw new Error(`migration ${track.name}/${file} failed: ${(error as Error).message}`);
        }
        await client.query("INSERT INTO schema_migrations (track, version) VALUES ($1, $2)", [track.name, file]);
        applied.push(`${track.name}/${file}`);
      }
    }
  });
  return applied;
}
