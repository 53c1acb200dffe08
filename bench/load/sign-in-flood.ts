// A worker thread of `npm run bench -- login-flood`: `attackers` concurrent loops of wrong operator
// sign-ins against `url` for `seconds`, on an event loop of their own (so the flood does not slow
// the customers' load generator in the main thread). Posts back the count of each answer.
import { parentPort, workerData } from "node:worker_threads";

const { url, attackers, seconds } = workerData as { url: string; attackers: number; seconds: number };
const statuses: Record<string, number> = {};
const until = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: attackers }, async () => {
    while (Date.now() < until) {
      const response = await fetch(`${url}/api/admin/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: `guess-${Math.random()}` }),
      }).catch(() => undefined);
      const key = String(response?.status ?? "error");
      statuses[key] = (statuses[key] ?? 0) + 1;
      await response?.body?.cancel();
    }
  }),
);
parentPort?.postMessage(statuses);
