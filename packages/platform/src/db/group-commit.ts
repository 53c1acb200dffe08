import { DatabaseOverloaded, isTransientDatabaseError } from "./errors.ts";

export interface GroupCommitOptions<I, O> {
  /**
   * Writes one batch in one transaction and returns one outcome per item, in the items' order.
   * A throw fails the batch: see `isolateFailures` and `recover`.
   */
  write: (items: I[]) => Promise<O[]>;
  /** A batch is written as soon as this many items wait. */
  maxBatch: number;
  /** …or once the first waiting item has waited this long (0: at once, unless every writer is busy). */
  windowMs: number;
  /** Batches being written at once (each holds one database connection). */
  maxConcurrent: number;
  /**
   * An item that waited this long without a writer is refused with DatabaseOverloaded (503 at the
   * edge): when the database falls behind, callers are told at once rather than queued without end.
   */
  maxWaitMs?: number;
  /** Items with the same key never share a batch (e.g. two requests with one Idempotency-Key). */
  keyOf?: (item: I) => string | undefined;
  /**
   * Whether a failed batch is retried item by item, so that one bad row fails alone and its
   * neighbours are written. Default: errors about the rows' data (SQLSTATE classes 22 and 23);
   * any other failure (the database unreachable, refusing, shutting down) fails the whole batch
   * at once, since retrying it row by row would only multiply the load.
   */
  isolateFailures?: (error: unknown) => boolean;
  /**
   * After a batch failed for a transient reason (e.g. the connection dropped), which items were
   * written after all: the commit may have happened before the answer was lost. Their callers get
   * their outcome instead of an error they would retry (a retry without an idempotency key would
   * place the order twice). undefined for an item certainly not written; a throw (the outcome
   * cannot be known) leaves all failed. Given the batch's error, which may tell where it ran.
   */
  recover?: (items: I[], error: unknown) => Promise<(O | undefined)[]>;
  /** Told the size of every batch written (metrics). */
  onBatch?: (size: number) => void;
}

type Waiting<I, O> = { item: I; since: number; resolve: (value: O) => void; reject: (error: unknown) => void };

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the database. */
function isRowError(error: unknown): boolean {
  return /^(22|23)/.test(String((error as { code?: unknown } | undefined)?.code ?? ""));
}

/**
 * Group commit: items submitted concurrently (e.g. orders of concurrent POSTs) are written
 * together, one statement and one commit for many, and each caller gets its own outcome. Under
 * light load a batch is one item after at most `windowMs`; under heavy load batches grow up to
 * `maxBatch` while all `maxConcurrent` writers are busy, so the commit rate stays bounded while
 * the row rate climbs.
 */
export class GroupCommit<I, O> {
  readonly #write: GroupCommitOptions<I, O>["write"];
  readonly #maxBatch: number;
  readonly #windowMs: number;
  readonly #maxConcurrent: number;
  readonly #maxWaitMs: number;
  readonly #keyOf: GroupCommitOptions<I, O>["keyOf"];
  readonly #isolateFailures: (error: unknown) => boolean;
  readonly #recover: GroupCommitOptions<I, O>["recover"];
  readonly #onBatch: GroupCommitOptions<I, O>["onBatch"];
  /** In arrival order (items are only ever removed, or appended at the end). */
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = Number.POSITIVE_INFINITY;

  constructor(options: GroupCommitOptions<I, O>) {
    const maxWaitMs = options.maxWaitMs ?? 1_000;
    if (!(options.maxBatch >= 1 && options.maxConcurrent >= 1 && options.windowMs >= 0 && maxWaitMs > options.windowMs)) {
      throw new RangeError("group commit needs maxBatch ≥ 1, maxConcurrent ≥ 1, windowMs ≥ 0, maxWaitMs > windowMs");
    }
    this.#write = options.write;
    this.#maxBatch = options.maxBatch;
    this.#windowMs = options.windowMs;
    this.#maxConcurrent = options.maxConcurrent;
    this.#maxWaitMs = maxWaitMs;
    this.#keyOf = options.keyOf;
    this.#isolateFailures = options.isolateFailures ?? isRowError;
    this.#recover = options.recover;
    this.#onBatch = options.onBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, since: performance.now(), resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    for (;;) {
      this.#refuseExpired();
      const first = this.#queue[0];
      if (!first || this.#inFlight >= this.#maxConcurrent) break;
      if (this.#queue.length < this.#maxBatch && first.since + this.#windowMs > performance.now()) break;
      void this.#writeBatch(this.#takeBatch());
    }
    // Wake up when the first waiting item's window closes (a writer is free) or its wait expires.
    const first = this.#queue[0];
    if (first) this.#wakeAt(this.#inFlight < this.#maxConcurrent ? first.since + this.#windowMs : first.since + this.#maxWaitMs);
  }

  #wakeAt(due: number): void {
    if (this.#timer && this.#timerDue <= due) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerDue = Number.POSITIVE_INFINITY;
        this.#schedule();
      },
      Math.max(0, Math.ceil(due - performance.now())),
    );
    // A process with nothing else to do need not stay up for the timer: the waiting callers hold it.
    this.#timer.unref();
  }

  /** Refuses the items that waited past maxWaitMs: a prefix of the queue, which is in arrival order. */
  #refuseExpired(): void {
    const now = performance.now();
    let n = 0;
    while (n < this.#queue.length && now - (this.#queue[n] as Waiting<I, O>).since >= this.#maxWaitMs) n++;
    if (n === 0) return;
    const expired = this.#queue.splice(0, n);
    const error = new DatabaseOverloaded(`waited ${this.#maxWaitMs} ms for a database writer`);
    for (const waiting of expired) waiting.reject(error);
  }

  /** Up to maxBatch items in arrival order, skipping those whose key is already in the batch. */
  #takeBatch(): Waiting<I, O>[] {
    if (!this.#keyOf) return this.#queue.splice(0, this.#maxBatch);
    const batch: Waiting<I, O>[] = [];
    const skipped: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    let i = 0;
    for (; i < this.#queue.length && batch.length < this.#maxBatch; i++) {
      const waiting = this.#queue[i] as Waiting<I, O>;
      const key = this.#keyOf(waiting.item);
      if (key !== undefined && keys.has(key)) {
        skipped.push(waiting);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(waiting);
    }
    this.#queue = skipped.length === 0 ? this.#queue.slice(i) : [...skipped, ...this.#queue.slice(i)];
    return batch;
  }

  async #writeBatch(batch: Waiting<I, O>[]): Promise<void> {
    this.#inFlight++;
    try {
      await this.#settle(batch);
    } catch (error) {
      // #settle answers every item itself; this is a last guard so no caller waits for ever.
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }

  /** Writes a batch and answers each of its items; returns the failure, if the batch failed as a whole. */
  async #settle(batch: Waiting<I, O>[]): Promise<unknown> {
    let outcomes: O[];
    try {
      outcomes = await this.#write(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length > 1 && this.#isolateFailures(error)) {
        // One bad item must not fail its neighbours: each alone, one after another, until the
        // failure is no longer about an item (then the rest fail with it, at once).
        for (const [i, waiting] of batch.entries()) {
          const failure = await this.#settle([waiting]);
          if (failure !== undefined && !this.#isolateFailures(failure)) {
            for (const rest of batch.slice(i + 1)) rest.reject(failure);
            break;
          }
        }
        return undefined;
      }
      await this.#failOrRecover(batch, error);
      return error;
    }
    if (outcomes.length !== batch.length) {
      const error = new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
      for (const waiting of batch) waiting.reject(error);
      return error;
    }
    // Answered first: nothing after the commit may turn a written batch into a failed one.
    for (const [i, waiting] of batch.entries()) waiting.resolve(outcomes[i] as O);
    try {
      this.#onBatch?.(batch.length);
    } catch {
      // metrics only
    }
    return undefined;
  }

  /** Fails a batch, except the items a transient failure wrote after all (see `recover`). */
  async #failOrRecover(batch: Waiting<I, O>[], error: unknown): Promise<void> {
    let found: (O | undefined)[] = [];
    if (this.#recover && isTransientDatabaseError(error)) {
      try {
        found = await this.#recover(
          batch.map((w) => w.item),
          error,
        );
      } catch {
        found = [];
      }
    }
    for (const [i, waiting] of batch.entries()) {
      const outcome = found[i];
      if (outcome !== undefined) waiting.resolve(outcome);
      else waiting.reject(error);
    }
  }
}
