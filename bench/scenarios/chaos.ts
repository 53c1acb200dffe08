// chaos (`npm run chaos`): while customers keep ordering (with idempotent retries), crash each
// service with SIGKILL and restart it, crash and restart the Kafka broker, freeze PostgreSQL, and
// stall a consumer past its session timeout. Then close the campaign and check that nothing was
// lost or applied twice and that the FINAL winners equal the reference rule.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT, type ServiceProcess, spawnService } from "@spgroup/infra";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import pg from "pg";
import { startKafka } from "../../infra/kafka/broker.ts";
import { SEED_RULE_SQL } from "../../services/campaign/test/support/harness.ts";
import { checkInvariants, ResilientCustomers } from "../lib/chaos-load.ts";
import { machine } from "../lib/machine.ts";
import { pidFromFile, processTree } from "../lib/resources.ts";
import { BENCH_DATA, startBenchStack } from "../lib/stack.ts";

const ENV = { PAYMENT_LATENCY_MS: "5", ORDER_PAYMENT_TIMEOUT_MS: "60000", LOG_LEVEL: "error" };

export async function run(_args: string[]) {
  const stack = await startBenchStack(ENV, { campaign: true });
  const services = new Map<string, ServiceProcess>(stack.services.map((s) => [s.name, s]));
  const orderDb = new pg.Pool({ connectionString: stack.orderDbUrl, max: 2 });
  const faults: { fault: string; recovery_s: number }[] = [];
  const customers = new ResilientCustomers(() => stack.orderUrl);
  let extraBroker: Awaited<ReturnType<typeof startKafka>> | undefined;
  try {
    const config = loadPlatformConfig("chaos", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" });
    const headers = { authorization: `Bearer ${(await new AdminAuth(config.admin).issue("chaos")).token}`, "content-type": "application/json" };
    const created = await fetch(`${stack.campaignUrl}/api/admin/v1/campaigns/iphones`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "Chaos sale", start_time: new Date().toISOString(), end_time: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    const campaign = ((await created.json()) as { data: { id: number } }).data;
    customers.start(60);
    await sleep(5_000);

    /** Seconds from `since` until an order placed now has gone all the way to SUCCESS/FAILED. */
    const recovered = async (since: number) => {
      const probe = new ResilientCustomers(() => stack.orderUrl);
      probe.start(10);
      await sleep(150);
      await probe.stop();
      const ids = [...probe.accepted.values()];
      for (;;) {
        const { rows } = await orderDb.query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status IN ('SUCCESS','FAILED')", [ids]).catch(() => ({ rows: [{ n: -1 }] }));
        if (rows[0].n === ids.length) return Math.round((Date.now() - since) / 100) / 10;
        await sleep(100);
      }
    };
    const restart = async (name: "order" | "payment" | "campaign") => {
      const old = services.get(name);
      old?.child.kill("SIGKILL");
      await old?.exited;
      const started = Date.now();
      const port = name === "order" ? "18080" : name === "payment" ? "18081" : "18082";
      const fresh = await spawnService(name, { ...stack.env, PORT: port }, join(BENCH_DATA, "logs", `${name}-restarted.log`));
      services.set(name, fresh);
      return started;
    };

    for (const name of ["order", "payment", "campaign"] as const) {
      console.log(`kill -9 ${name} service, restart it…`);
      const at = await restart(name);
      faults.push({ fault: `kill -9 ${name} service`, recovery_s: await recovered(at) });
      await sleep(3_000);
    }

    console.log("kill -9 the Kafka broker, restart it…");
    const brokerPid = await pidFromFile(join(BENCH_DATA, "kafka", "broker.pid"));
    if (brokerPid) process.kill(brokerPid, "SIGKILL");
    await sleep(3_000);
    const brokerStart = Date.now();
    extraBroker = await startKafka({ dataDir: join(BENCH_DATA, "kafka"), port: 19392, controllerPort: 19393 });
    faults.push({ fault: "kill -9 Kafka broker, 3 s down", recovery_s: await recovered(brokerStart) });
    await sleep(3_000);

    console.log("freeze PostgreSQL for 8 s…");
    const postmaster = await pidFromFile(join(BENCH_DATA, "postgres", "postmaster.pid"));
    const pgTree = postmaster ? await processTree(postmaster) : [];
    for (const pid of pgTree) process.kill(pid, "SIGSTOP");
    await sleep(8_000);
    for (const pid of pgTree) process.kill(pid, "SIGCONT");
    faults.push({ fault: "PostgreSQL frozen 8 s", recovery_s: await recovered(Date.now()) });
    await sleep(3_000);

    console.log("stall the payment service past its consumer session timeout (25 s)…");
    const payment = services.get("payment");
    payment?.child.kill("SIGSTOP");
    await sleep(25_000);
    payment?.child.kill("SIGCONT");
    faults.push({ fault: "payment consumer stalled 25 s", recovery_s: await recovered(Date.now()) });

    await customers.stop();
    console.log(`${customers.accepted.size} orders accepted (${customers.retries} client retries); draining…`);
    for (let i = 0; i < 240; i++) {
      const { rows } = await orderDb.query("SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('SUCCESS','FAILED')");
      if (rows[0].n === 0) break;
      await sleep(500);
    }
    const closed = await fetch(`${stack.campaignUrl}/api/admin/v1/campaigns/iphones/${campaign.id}`, { method: "PUT", headers, body: JSON.stringify({ end_time: new Date().toISOString() }) });
    const window = ((await closed.json()) as { data: { start_time: string; end_time: string; policy: { max_tracked_orders: number; min_order_amount: string; total_reward: number } } }).data;
    let winners: string[] = [];
    for (let i = 0; i < 120; i++) {
      const body = (await (await fetch(`${stack.campaignUrl}/api/admin/v1/campaigns/iphones/winners`, { headers })).json()) as { data: { state: string; winners: { customer_id: string }[] } };
      if (body.data.state === "FINAL") {
        winners = body.data.winners.map((w) => w.customer_id);
        break;
      }
      await sleep(500);
    }
    const expected = (await orderDb.query(SEED_RULE_SQL, [window.start_time, window.end_time, window.policy.max_tracked_orders, window.policy.min_order_amount, window.policy.total_reward, "%"])).rows.map((r) => r.customer_id);
    for (let i = 0; i < 60; i++) {
      const invariants = await checkInvariants({ order: stack.orderDbUrl, payment: stack.paymentDbUrl, campaign: stack.campaignDbUrl }, customers);
      if (invariants.unpublished_outbox_rows === 0 || i === 59) {
        const result = {
          scenario: "chaos",
          at: new Date().toISOString(),
          command: "npm run chaos",
          machine: machine(),
          ...invariants,
          client_retries: customers.retries,
          winners_equal_rule: winners.length > 0 && JSON.stringify(winners) === JSON.stringify(expected),
          winners,
          faults,
        };
        console.log(JSON.stringify(result, null, 2));
        await writeFile(join(ROOT, "bench", "results", "chaos-latest.json"), `${JSON.stringify(result, null, 2)}\n`);
        const ok = result.lost_orders === 0 && result.duplicated_orders === 0 && result.double_payments === 0 && result.orders_not_terminal === 0 && result.unpublished_outbox_rows === 0 && result.winners_equal_rule;
        if (!ok) process.exitCode = 1;
        break;
      }
      await sleep(500);
    }
  } finally {
    await customers.stop().catch(() => {});
    await orderDb.end();
    for (const s of services.values()) await s.stop().catch(() => {});
    await extraBroker?.stop();
    await stack.stop();
  }
}
