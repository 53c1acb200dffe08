import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { customerHeaders } from "@spgroup/infra/testing";
import { backoffMs, partitionOfKey } from "@spgroup/platform";
import pg from "pg";
import { DEADLINE_PASSED_REASON } from "../../services/payment/src/domain/payment.ts";

/** How long a customer keeps retrying one order before giving up on the shop (and the run fails). */
export const GIVE_UP_AFTER_MS = 120_000;

/**
 * Customers placing orders through faults: every logical order has its own Idempotency-Key and is
 * retried (connection refused, 503, timeout) until the service answers 2xx, as a well-behaved
 * client would. So each key must end as exactly one order, whatever crashed in between. A
 * customer gives up after GIVE_UP_AFTER_MS: a shop that never accepts again must fail the run,
 * not hang it.
 */
export class ResilientCustomers {
  readonly keys: string[] = [];
  readonly accepted = new Map<string, string>(); // key → order id
  #running = false;
  #loop: Promise<void> | undefined;
  #inflight = new Set<Promise<void>>();
  retries = 0;
  /** Orders never accepted within GIVE_UP_AFTER_MS. */
  abandoned = 0;
  readonly #url: () => string;

  constructor(url: () => string) {
    this.#url = url;
  }

  /** One order for each of these customers, each retried as in start(); resolves when all are settled. */
  async placeOnce(customers: readonly string[]): Promise<void> {
    await Promise.all(customers.map((customer, i) => this.#placeFor(customer, `Probe ${i}`, `${(i % 350) + 20}.50`)));
  }

  start(perSecond: number): void {
    this.#running = true;
    this.#loop = (async () => {
      let n = 0;
      while (this.#running) {
        for (let i = 0; i < perSecond / 10; i++) {
          const p = this.#place(n++);
          this.#inflight.add(p);
          void p.finally(() => this.#inflight.delete(p));
        }
        await sleep(100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    await Promise.all(this.#inflight);
  }

  #place(n: number): Promise<void> {
    const customer = n % 13 === 0 ? `DECLINE-${n % 500}` : `chaos-${n % 500}`;
    return this.#placeFor(customer, `Chaos ${n % 500}`, `${(n % 350) + 20}.50`);
  }

  async #placeFor(customer: string, name: string, amount: string): Promise<void> {
    const key = randomUUID();
    this.keys.push(key);
    const body = JSON.stringify({ customer_id: customer, customer_name: name, total_amount: amount });
    const since = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (Date.now() - since > GIVE_UP_AFTER_MS) {
        this.abandoned++;
        return;
      }
      try {
        const response = await fetch(`${this.#url()}/api/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": key, ...(await customerHeaders(customer)) },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        if (response.status === 202 || response.status === 200) {
          this.accepted.set(key, ((await response.json()) as { data: { id: string } }).data.id);
          return;
        }
        await response.body?.cancel();
      } catch {
        // refused or timed out: the service is down or restarting
      }
      this.retries++;
      await sleep(backoffMs(attempt, { baseMs: 100, maxMs: 2_000 }));
    }
  }
}

/**
 * Customers whose orders land on every partition of a topic with `partitions` partitions (by the
 * Java client's partitioner, which ours use): a probe of them tests every consumer partition,
 * not the one or two a handful of fixed customers happen to hash to.
 */
export function customersOnEveryPartition(partitions: number, prefix: string): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const customer = `${prefix}-${i}`;
    const partition = partitionOfKey(customer, partitions);
    if (!byPartition.has(partition)) byPartition.set(partition, customer);
  }
  return [...byPartition.entries()].sort(([a], [b]) => a - b).map(([, customer]) => customer);
}

export interface Invariants {
  orders_accepted: number;
  lost_orders: number;
  duplicated_orders: number;
  double_payments: number;
  orders_not_terminal: number;
  unpublished_outbox_rows: number;
}

/** After recovery: every accepted order exists once and is terminal, one payment each, outboxes empty. */
export async function checkInvariants(urls: { order: string; payment: string; campaign: string }, customers: ResilientCustomers): Promise<Invariants> {
  const order = new pg.Pool({ connectionString: urls.order, max: 2 });
  const payment = new pg.Pool({ connectionString: urls.payment, max: 2 });
  const campaign = new pg.Pool({ connectionString: urls.campaign, max: 2 });
  try {
    const ids = [...customers.accepted.values()];
    const found = (await order.query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1)", [ids])).rows[0].n;
    const keys = (await order.query("SELECT count(*)::int AS keys, count(DISTINCT order_id)::int AS orders FROM order_idempotency_keys")).rows[0];
    const all = (await order.query("SELECT count(*)::int AS n FROM orders")).rows[0].n;
    const open = (await order.query("SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('SUCCESS','FAILED')")).rows[0].n;
    const pays = (await payment.query("SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS d FROM payments")).rows[0];
    let outbox = 0;
    // Watermarks are written continuously; every other event must have left the outbox.
    for (const db of [order, payment, campaign]) outbox += (await db.query("SELECT count(*)::int AS n FROM outbox WHERE payload->>'type' <> 'OrdersWatermark'")).rows[0].n;
    return {
      orders_accepted: customers.accepted.size,
      lost_orders: customers.accepted.size - found,
      // Every order was placed with its own key and a key holds one order: any other order is a duplicate.
      duplicated_orders: all - keys.orders,
      double_payments: pays.n - pays.d,
      orders_not_terminal: open,
      unpublished_outbox_rows: outbox,
    };
  } finally {
    await Promise.all([order.end(), payment.end(), campaign.end()]);
  }
}

/**
 * Of these orders, the FAILED ones that were not declined by the payment gateway's own rule: no
 * payment at all, or one refused only because the order's payment deadline had passed. Those
 * orders failed because the pipeline did not pay them in time; a healthy pipeline has none.
 */
export async function timeoutFailures(orderDb: pg.Pool, paymentDb: pg.Pool, ids: string[]): Promise<number>;
export async function timeoutFailures(orderDb: pg.Pool, paymentDb: pg.Pool, ids: string[], options: { withCreatedAt: true }): Promise<{ createdAt: number[] }>;
export async function timeoutFailures(orderDb: pg.Pool, paymentDb: pg.Pool, ids: string[], options?: { withCreatedAt: true }): Promise<number | { createdAt: number[] }> {
  const failed = (
    await orderDb.query<{ id: string; created_ms: string }>("SELECT id, (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms FROM orders WHERE id = ANY($1) AND status = 'FAILED'", [ids])
  ).rows;
  const declined = new Set(
    (
      await paymentDb.query<{ order_id: string }>(
        "SELECT order_id FROM payments WHERE order_id = ANY($1) AND status = 'FAILED' AND decline_reason IS DISTINCT FROM $2",
        [failed.map((r) => r.id), DEADLINE_PASSED_REASON],
      )
    ).rows.map((r) => r.order_id),
  );
  const byTimeout = failed.filter((r) => !declined.has(r.id));
  return options?.withCreatedAt ? { createdAt: byTimeout.map((r) => Number(r.created_ms)) } : byTimeout.length;
}
