import { DatabaseOverloaded, isTransientDatabaseError } from "./errors.ts";

export interface GroupCommitOptions<I, O> {
  /**
   * Writes one batch in one transaction and returns one outcome per item, in the items' order.
   * A throw fails the batch: see `isolateFailures`.
   */
  write: (items: I[]) => Promise<O[]>;
  /** A batch is written as soon as this many items wait. */
  maxBatch: number;
  /** …or once the first waiting item has waited this long (0: on the next turn of the event loop). */
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
   * neighbours are written. Default: every failure except those about reaching the database
   * (retrying a batch a down database refused, one row at a time, only multiplies the load).
   */
  isolateFailures?: (error: unknown) => boolean;
  /** Told the size of every batch written (metrics). */
  onBatch?: (size: number) => void;
}

type Waiting<I, O> = { item: I; since: number; resolve: (value: O) => void; reject: (error: unknown) => void };

/**
 * Group commit: items submitted concurrently (e.g. orders of concurrent POSTs) are written
 * together, one statement and one commit for many, and each caller gets its own outcome. Under
 * light load a batch is one item after at most `windowMs`; under heavy load batches grow up to
 * `maxBatch` while all `maxConcurrent` writers are busy, so the commit rate stays bounded while
 * the row rate climbs.
 */
export class GroupCommit<I, O> {
  readonly #o: Required<Omit<GroupCommitOptions<I, O>, "keyOf" | "onBatch">> & Pick<GroupCommitOptions<I, O>, "keyOf" | "onBatch">;
  #expiry: NodeJS.Timeout | undefined;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: GroupCommitOptions<I, O>) {
    if (options.maxBatch < 1 || options.maxConcurrent < 1 || options.windowMs < 0) throw new RangeError("group commit needs maxBatch ≥ 1, maxConcurrent ≥ 1, windowMs ≥ 0");
    this.#o = { isolateFailures: (error) => !isTransientDatabaseError(error), maxWaitMs: 1_000, ...options };
  }

  /** Items waiting for a batch, and batches being written (for metrics and tests). */
  get waiting(): number {
    return this.#queue.length;
  }
  get writing(): number {
    return this.#inFlight;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, since: performance.now(), resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    this.#refuseExpired();
    while (this.#queue.length > 0 && this.#inFlight < this.#o.maxConcurrent) {
      const first = this.#queue[0] as Waiting<I, O>;
      const due = first.since + this.#o.windowMs - performance.now();
      if (this.#queue.length < this.#o.maxBatch && due > 0) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#schedule();
        }, Math.ceil(due));
        return;
      }
      void this.#writeBatch(this.#takeBatch());
    }
  }

  /** Refuses the items that waited past maxWaitMs; checks again when the oldest one left will expire. */
  #refuseExpired(): void {
    const now = performance.now();
    const limit = this.#o.maxWaitMs;
    if (this.#queue.some((w) => now - w.since >= limit)) {
      const expired = this.#queue.filter((w) => now - w.since >= limit);
      this.#queue = this.#queue.filter((w) => now - w.since < limit);
      const error = new DatabaseOverloaded(`waited ${limit} ms for a database writer`);
      for (const w of expired) w.reject(error);
    }
    if (this.#queue.length > 0 && this.#inFlight >= this.#o.maxConcurrent && !this.#expiry) {
      const first = this.#queue[0] as Waiting<I, O>;
      this.#expiry = setTimeout(() => {
        this.#expiry = undefined;
        this.#schedule();
      }, Math.max(1, Math.ceil(first.since + limit - now)));
    }
  }

  /** Up to maxBatch items in arrival order, skipping those whose key is already in the batch. */
  #takeBatch(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const left: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    for (const waiting of this.#queue) {
      const key = this.#o.keyOf?.(waiting.item);
      if (batch.length >= this.#o.maxBatch || (key !== undefined && keys.has(key))) {
        left.push(waiting);
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(waiting);
    }
    this.#queue = left;
    return batch;
  }

  async #writeBatch(batch: Waiting<I, O>[]): Promise<void> {
    this.#inFlight++;
    try {
      await this.#settle(batch);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }

  async #settle(batch: Waiting<I, O>[]): Promise<void> {
    let outcomes: O[];
    try {
      outcomes = await this.#o.write(batch.map((w) => w.item));
      this.#o.onBatch?.(batch.length);
    } catch (error) {
      if (batch.length > 1 && this.#o.isolateFailures(error)) {
        // One bad item must not fail its neighbours: each alone, one after another.
        for (const waiting of batch) await this.#settle([waiting]);
      } else {
        for (const waiting of batch) waiting.reject(error);
      }
      return;
    }
    if (outcomes.length !== batch.length) {
      const error = new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const [i, waiting] of batch.entries()) waiting.resolve(outcomes[i] as O);
  }
}
