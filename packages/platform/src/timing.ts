// Waiting, bounded: every retry in the platform backs off the same way, and no await on a remote
// system may hang a loop for ever.

/**
 * The delay before retry number `attempt` (0-based): exponential from `baseMs`, capped at `maxMs`,
 * with "full jitter" in its upper half so that many instances retrying after one outage do not
 * come back in lock-step.
 */
export function backoffMs(attempt: number, { baseMs = 100, maxMs = 5_000 }: { baseMs?: number; maxMs?: number } = {}, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * Settles like `promise`, or rejects with DeadlineExceeded after `ms`. The work itself cannot be
 * cancelled: it goes on in the background and its outcome is ignored (a late rejection is caught).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
