import type { Logger } from "./logger.ts";

/**
 * Runs `task` every `intervalMs` (measured from the end of one run to the start of the next, so
 * runs never overlap). A failing run is logged and the schedule goes on. Returns a stop function
 * that waits for a run in progress.
 */
export function runEvery(name: string, intervalMs: number, task: () => Promise<unknown>, logger: Logger): () => Promise<void> {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      try {
        await task();
      } catch (error) {
        logger.error({ err: error, task: name }, "scheduled task failed");
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();
  return async () => {
    running = false;
    clearTimeout(timer);
    wake?.();
    await loop;
  };
}
