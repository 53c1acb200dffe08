import { isTransientDatabaseError } from "../db/errors.ts";

/**
 * What a consumer does after applying events failed:
 * - "wait": the database could not be reached (or was contended): not the events' fault, so this
 *   try does not count; wait and try again, for as long as it takes (never dead-letter these);
 * - "retry": the events' own failure, tries left: try again after a back-off;
 * - "give-up": the events' own failure, no tries left: a batch is split into single events, and a
 *   single event is dead-lettered so that it cannot stop its partition.
 * `failures` counts the events' own failures so far, this one included.
 */
export type FailureStep = "wait" | "retry" | "give-up";

export function afterFailure(error: unknown, failures: number, maxAttempts: number): FailureStep {
  if (isTransientDatabaseError(error)) return "wait";
  return failures >= maxAttempts ? "give-up" : "retry";
}
