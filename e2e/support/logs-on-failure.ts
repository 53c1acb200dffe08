// A failing test shows what its services logged while it ran: the end of each log file written
// during the test (kept under .data/test/logs/ either way). A passing test shows nothing.
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

beforeEach(async ({ onTestFailed }) => {
  const startedAt = new Map<string, number>();
  for (const file of TEST_LOG_FILES) startedAt.set(file, await sizeOf(file));
  onTestFailed(async () => {
    await sleep(300); // the services' asynchronous log writes land
    for (const file of TEST_LOG_FILES) {
      const text = await readFrom(file, startedAt.get(file) ?? 0);
      if (text) console.log(`──── ${file}: written during this test (the last ${TAIL_BYTES / 1000} kB at most) ────\n${text}`);
    }
  });
});
