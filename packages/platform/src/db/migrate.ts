import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { backoffMs } from "../timing.ts";
import { ADVISORY_LOCKS } from "./locks.ts";

export interface MigrationTrack {
  /** Name of the track: "platform" for outbox/inbox, the service name for its own tables. */
  name: string;
  dir: string;
}

/** First line of a file that must run outside a transaction (`CREATE INDEX CONCURRENTLY`). */
export const NO_TRANSACTION_MARKER = "-- migrate: no-transaction";

const MIGRATION_LOCK = ADVISORY_LOCKS.migrations;

export class MigrationError extends Error {}

interface MigrationFile {
  track: string;
  file: string;
  sql: string;
  checksum: string;
}

/**
 * Applies numbered, forward-only SQL files (`001_name.sql`) in order, each in its own transaction
 * (or, marked with NO_TRANSACTION_MARKER, statement by statement without one), recording each with
 * the sha256 of its content in schema_migrations. Refuses to run when an applied file changed.
 * A session advisory lock lets several instances start at once.
 */
export async function migrate(pool: pg.Pool, tracks: MigrationTrack[]): Promise<string[]> {
  const files = await readTracks(tracks);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await acquireLock(client);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        track text NOT NULL, version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        checksum text, PRIMARY KEY (track, version))`);
      // Databases migrated before checksums existed: their files' current content is the baseline.
      await client.query("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text");
      const { rows } = await client.query<{ track: string; version: string; checksum: string | null }>(
        "SELECT track, version, checksum FROM schema_migrations",
      );
      const recorded = new Map(rows.map((r) => [`${r.track}/${r.version}`, r.checksum]));
      const pending: MigrationFile[] = [];
      for (const f of files) {
        const key = `${f.track}/${f.file}`;
        if (!recorded.has(key)) {
          pending.push(f);
          continue;
        }
        const checksum = recorded.get(key);
        if (checksum === null) {
          await client.query("UPDATE schema_migrations SET checksum = $3 WHERE track = $1 AND version = $2", [f.track, f.file, f.checksum]);
        } else if (checksum !== f.checksum) {
          throw new MigrationError(
            `migration ${key} was changed after it was applied (sha256 ${checksum} recorded, ${f.checksum} on disk); ` +
              "restore the file and put the change in a new migration",
          );
        }
      }
      const applied: string[] = [];
      for (const f of pending) {
        if (f.sql.startsWith(NO_TRANSACTION_MARKER)) await applyWithoutTransaction(client, f);
        else await applyInTransaction(client, f);
        applied.push(`${f.track}/${f.file}`);
      }
      return applied;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    // A connection that could not unlock must not go back to the pool holding the lock.
    client.release(broken);
  }
}

async function readTracks(tracks: MigrationTrack[]): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for (const track of tracks) {
    const names = (await readdir(track.dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
    for (const file of names) {
      const bytes = await readFile(join(track.dir, file));
      files.push({ track: track.name, file, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") });
    }
  }
  return files;
}

/**
 * Waits for the migration lock by polling, not with a blocking pg_advisory_lock: a statement
 * blocked on the lock holds a snapshot, and the holder's CREATE INDEX CONCURRENTLY waits for every
 * older snapshot to go, so the two would wait for each other.
 */
async function acquireLock(client: pg.PoolClient): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [MIGRATION_LOCK]);
    if (rows[0]?.locked) return;
    await sleep(250);
  }
}

/**
 * A file's statements may need a strong lock (ALTER TABLE). Waiting for it behind a long reader
 * would queue every query of that table behind the migration: an outage. So each try waits at
 * most LOCK_WAIT (queries behind it stall that long at most) for its locks (lock_timeout) and gives way; tries are repeated with back-off
 * for up to LOCK_TRIES_FOR before the start is refused.
 */
const LOCK_WAIT = "500ms";
const LOCK_TRIES_FOR_MS = 5 * 60_000;

async function applyInTransaction(client: pg.PoolClient, f: MigrationFile): Promise<void> {
  const giveUpAt = Date.now() + LOCK_TRIES_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
      await client.query(f.sql);
      await record(client, f);
      await client.query("COMMIT");
      return;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      if ((error as { code?: string }).code === "55P03" && Date.now() < giveUpAt) {
        await sleep(backoffMs(attempt, { baseMs: 500, maxMs: 10_000 }));
        continue;
      }
      throw new MigrationError(`migration ${f.track}/${f.file} failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Runs each statement on its own (a multi-statement query is one implicit transaction, where
 * CONCURRENTLY is refused). An interrupted run may have left some statements done: they must be
 * idempotent (IF NOT EXISTS), and an index whose concurrent build was interrupted, left INVALID,
 * is dropped first so that IF NOT EXISTS does not keep it.
 */
async function applyWithoutTransaction(client: pg.PoolClient, f: MigrationFile): Promise<void> {
  for (const statement of splitStatements(f.sql)) {
    try {
      const index = /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("?[\w.]+"?)/i.exec(statement)?.[1];
      if (index) await dropInvalidIndex(client, index);
      await client.query(statement);
    } catch (error) {
      throw new MigrationError(`migration ${f.track}/${f.file} failed at \`${statement.slice(0, 80)}\`: ${(error as Error).message}`);
    }
  }
  await record(client, f);
}

async function dropInvalidIndex(client: pg.PoolClient, name: string): Promise<void> {
  const { rows } = await client.query<{ invalid: boolean }>(
    "SELECT NOT i.indisvalid AS invalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
    [name],
  );
  if (rows[0]?.invalid) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}

/**
 * Statements of a no-transaction file: each ends with `;` at the end of a line. Such files hold
 * plain DDL (no dollar-quoted bodies), which this split is enough for.
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((line) => !/^\s*--/.test(line))
    .join("\n")
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

async function record(client: pg.PoolClient, f: MigrationFile): Promise<void> {
  await client.query("INSERT INTO schema_migrations (track, version, checksum) VALUES ($1, $2, $3)", [f.track, f.file, f.checksum]);
}
