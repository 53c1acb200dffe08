// login-flood (`npm run bench -- login-flood [--seconds=15] [--rate=100] [--attackers=64]`): does a
// flood of operator sign-ins starve order placement? Each sign-in is a scrypt on libuv's thread
// pool, the same pool that verifies customer tokens on POST /api/v1/orders. Three phases, each
// `seconds` long, with customers ordering at `rate`/s throughout, on one order-service process:
//   quiet      no sign-ins;
//   one-address attackers signing in from 127.0.0.1 as fast as answers come (the per-address limit);
//   distributed the same with the per-address limit lifted (a botnet): only the bounded scrypt
//               queue protects the thread pool.
// Reports order latency (p50/p99) and what the sign-ins got (401/429/503) per phase. The flood runs
// in a worker thread (bench/load/sign-in-flood.ts), apart from the customers' generator.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { ROOT, spawnService } from "@spgroup/infra";
import { customerHeaders } from "@spgroup/infra/testing";
import { numberOption } from "../lib/args.ts";
import { machine } from "../lib/machine.ts";
import { BENCH_DATA, startBenchStack } from "../lib/stack.ts";
import { summary } from "../lib/stats.ts";

export async function run(args: string[]) {
  const seconds = numberOption(args, "seconds", 15);
  const rate = numberOption(args, "rate", 100);
  const attackers = numberOption(args, "attackers", 64);
  const stack = await startBenchStack({ PAYMENT_LATENCY_MS: "5", ORDER_RATE_LIMIT_PER_CUSTOMER_PER_MINUTE: "100000" });
  const phases: Record<string, unknown>[] = [];
  try {
    for (const phase of ["quiet", "one-address", "distributed"] as const) {
      if (phase === "distributed") {
        // The same order service with the per-address sign-in limit lifted.
        const order = stack.services.find((s) => s.name === "order");
        await order?.stop();
        const restarted = await spawnService("order", { ...stack.env, PORT: "18080", ADMIN_LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE: "10000000" }, join(BENCH_DATA, "logs", "order-distributed.log"));
        stack.services.splice(stack.services.indexOf(order as (typeof stack.services)[number]), 1, restarted);
      }
      const latencies: number[] = [];
      const orderStatuses: Record<string, number> = {};
      const until = Date.now() + seconds * 1000;
      const flood =
        phase === "quiet"
          ? Promise.resolve({})
          : new Promise<Record<string, number>>((resolve, reject) => {
              const worker = new Worker(new URL("../load/sign-in-flood.ts", import.meta.url), { workerData: { url: stack.orderUrl, attackers, seconds } });
              worker.once("message", resolve);
              worker.once("error", reject);
            });
      const orders: Promise<void>[] = [];
      for (let n = 0; Date.now() < until; n++) {
        const customer = `flood-${n % 1000}`;
        orders.push(
          (async () => {
            const headers = { "content-type": "application/json", ...(await customerHeaders(customer)) };
            const started = performance.now();
            const response = await fetch(`${stack.orderUrl}/api/v1/orders`, {
              method: "POST",
              headers,
              body: JSON.stringify({ customer_id: customer, customer_name: "Flood", total_amount: "250.00" }),
            }).catch(() => undefined);
            latencies.push(performance.now() - started);
            const key = String(response?.status ?? "error");
            orderStatuses[key] = (orderStatuses[key] ?? 0) + 1;
            await response?.body?.cancel();
          })(),
        );
        await sleep(1000 / rate);
      }
      await Promise.all(orders);
      const result = { phase, seconds, orders: orderStatuses, order_latency_ms: summary(latencies), sign_ins: await flood };
      console.log(JSON.stringify(result));
      phases.push(result);
    }
    const report = { scenario: "login-flood", at: new Date().toISOString(), command: `npm run bench -- login-flood --seconds=${seconds} --rate=${rate} --attackers=${attackers}`, machine: machine(), phases };
    await writeFile(join(ROOT, "bench", "results", "login-flood-latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await stack.stop();
  }
}
