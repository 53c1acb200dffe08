// A failing test shows what its services logged: the end of each of their log files (kept under
// .data/test/logs/ either way), which holds the test and what led to it (start-up, background
// work). A passing test shows nothing.
import { open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { TEST_LOG_FILES } from "../../infra/testing/test-logs.ts";
import { beforeEach } from "vitest";

/** At most this much of each log is printed: the end, where a failure usually shows. */
const TAIL_BYTES = 12_000;

const sizeOf = (file: string) => stat(file).then((s) => s.size, () => 0);

async function readFrom(file: string, from: number): Promise<string> {
  const end = await sizeOf(file);
  const start = Math.max(from, end - TAIL_BYTES);
  if (end <= start) return "";
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    // Cut to whole lines when the tail starts mid-line.
    return start > from ? text.slice(text.indexOf("\n") + 1) : text;
  } finally {
    await handle.close();
  }
}

beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    await sleep(300); // the services' asynchronous log writes land
    for (const file of TEST_LOG_FILES) {
      const text = await readFrom(file, 0);
      if (text) console.log(`──── ${file}: the end (${TAIL_BYTES / 1000} kB at most) ────\n${text}`);
    }
  });
});
