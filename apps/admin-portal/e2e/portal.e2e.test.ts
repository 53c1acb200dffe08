import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { customerHeaders, eventually } from "@spgroup/infra/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./browser.ts";
import { startPortalStack } from "./portal-stack.ts";

describe("admin portal in a real browser against the running stack", () => {
  let stack: Awaited<ReturnType<typeof startPortalStack>>;
  let browser: Browser;
  let page: Page;

  const placeOrder = async (customer: string, amount: string) => {
    const response = await fetch(`${stack.order.url}/api/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await customerHeaders(customer)) },
      body: JSON.stringify({ customer_id: customer, customer_name: `Shopper ${customer}`, total_amount: amount }),
    });
    expect(response.status).toBe(202);
  };

  beforeAll(async () => {
    stack = await startPortalStack(inject("infra"));
    for (let i = 0; i < 45; i++) await placeOrder(i % 9 === 0 ? `DECLINE-${i}` : `shopper-${i}`, `${50 + i * 10}.00`);
    await eventually(async () => {
      const { rows } = await stack.orderDb.query("SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCESS','FAILED')");
      return rows[0].n === 45 ? true : undefined;
    }, 30_000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("sends an anonymous visitor to sign in, and signs the operator in", async () => {
    await page.goto(`${stack.portalUrl}/orders`);
    await page.waitForURL(/\/login\?next=%2Forders/);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong username or password.").waitFor();
    await page.getByLabel("Password").fill("admin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/orders$/);
    await expect.poll(() => page.getByTestId("page-summary").textContent()).toBe("1–20 of 45");
  });

  it("shows each order and payment database with its rows on the dashboard", async () => {
    await page.goto(`${stack.portalUrl}/`);
    const databases = page.getByTestId("databases");
    await expect.poll(() => databases.textContent(), { timeout: 10_000 }).toMatch(/order_db.*0-63.*45 orders/);
    await expect.poll(() => databases.textContent(), { timeout: 10_000 }).toMatch(/payment_db.*0-63.*45 payments/);
    await page.goto(`${stack.portalUrl}/orders`);
    await expect.poll(() => page.getByTestId("page-summary").textContent()).toBe("1–20 of 45");
  });

  it("pages, sorts and filters orders on the server, with the state in the URL", async () => {
    await page.getByTestId("next-page").click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => page.getByTestId("page-summary").textContent()).toBe("21–40 of 45");

    await page.getByTestId("sort-total_amount").click();
    await page.waitForURL(/sort=total_amount/);
    expect(page.url()).not.toContain("page=2");
    await expect.poll(() => page.locator("tbody tr").first().textContent()).toContain("SGD 50.00");
    await page.getByTestId("sort-total_amount").click();
    await expect.poll(() => page.locator("tbody tr").first().textContent()).toContain("SGD 490.00");

    await page.getByLabel("Status").selectOption("FAILED");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/status=FAILED/);
    // The previous page stays on screen while the filtered one loads: wait for the new rows.
    await expect.poll(async () => [...new Set(await page.locator("tbody tr td:nth-child(5)").allTextContents())]).toEqual(["FAILED"]);
    expect(await page.locator("tbody tr").count()).toBeGreaterThanOrEqual(5);

    // The back button undoes the filter.
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("status=FAILED"));
    await expect.poll(() => page.getByTestId("page-summary").textContent()).toBe("1–20 of 45");
  });

  it("opens an order's detail with its payment and timeline", async () => {
    await page.locator("tbody tr").first().click();
    const drawer = page.getByRole("dialog", { name: "Order" });
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId("timeline").textContent()).toMatch(/Order placed.*Payment (approved|declined).*Order (SUCCESS|FAILED)/);
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });

    // A payment's detail shows the order it paid for.
    await page.getByRole("link", { name: "Payments" }).click();
    await page.locator("tbody tr").first().click();
    const payment = page.getByRole("dialog", { name: "Payment" });
    await expect.poll(() => payment.textContent()).toMatch(/Payment id.*Order.*Order id.*Customer/);
    await page.keyboard.press("Escape");
  });

  it("exports the current filter as CSV, every matching row and not just one page", async () => {
    await page.goto(`${stack.portalUrl}/orders?min_amount=100&size=10`);
    const href = await page.getByTestId("export-csv").getAttribute("href");
    expect(href).toContain("min_amount=100");
    const response = await page.request.get(`${stack.portalUrl}${href}`);
    expect(response.status()).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("id,status,total_amount,customer_id,customer_name,created_at,updated_at");
    expect(lines).toHaveLength(1 + 40);
  });

  it("creates and edits the campaign, and shows a new winner without reloading", async () => {
    await page.goto(`${stack.portalUrl}/campaign`);
    await page.getByRole("button", { name: "New campaign" }).click();
    await page.locator('input[name="max_tracked_orders"]').fill("5");
    await page.locator('input[name="total_reward"]').fill("9");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.getByText("Cannot exceed the tracked customers").waitFor();
    await page.locator('input[name="total_reward"]').fill("3");
    await page.locator('input[name="start_time"]').fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 19));
    await page.getByRole("button", { name: "Create campaign" }).click();
    await expect.poll(() => page.getByTestId("inventory-total").textContent()).toBe("3");

    // Changing a running campaign asks first.
    await page.getByRole("button", { name: "Edit campaign" }).click();
    await page.locator('input[name="max_tracked_orders"]').fill("100");
    await page.locator('input[name="total_reward"]').fill("60");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("alertdialog", { name: "Confirm change" }).waitFor();
    await page.getByRole("button", { name: "Yes, change it" }).click();
    await expect.poll(() => page.getByTestId("inventory-total").textContent()).toBe("60");
    await page.getByTestId("live-indicator").getByText("live").waitFor();

    const before = await page.getByTestId("inventory-awarded").textContent();
    await placeOrder("newcomer-1", "888.00");
    await page.getByTestId("winners").getByText("newcomer-1", { exact: true }).waitFor({ timeout: 15_000 });
    expect(Number(await page.getByTestId("inventory-awarded").textContent())).toBe(Number(before) + 1);
  });

  it("shows the campaign edit in the activity log, by whom, with the settings before and after", async () => {
    await page.goto(`${stack.portalUrl}/activity`);
    const log = page.getByTestId("activity");
    const edit = log.locator("tr", { hasText: "campaign.edit" }).first();
    await edit.waitFor();
    await expect.poll(() => edit.textContent()).toMatch(/admin\s*admin/);
    const text = (await edit.textContent()) ?? "";
    expect(text).toContain('"total_reward":3');
    expect(text).toContain('"total_reward":60');
    expect(await log.locator("tr", { hasText: "campaign.create" }).count()).toBe(1);
    // Filtered by action, only edits remain.
    await page.getByLabel("Action").selectOption("campaign.edit");
    await expect.poll(() => log.locator("tbody tr").count()).toBe(1);
  });

  it("shows Apache Flink's micro-batch standings beside ours, with a badge saying whether they agree", async () => {
    await page.goto(`${stack.portalUrl}/campaign`);
    const ours = ((await (await fetch(`${stack.campaign.url}/api/admin/v1/campaigns/iphones/winners`, { headers: stack.adminHeaders })).json()) as {
      data: { winners: { rank: number; customer_id: string; customer_name: string; first_order_at: string; max_order_amount: string }[] };
    }).data.winners;
    const campaign = ((await (await fetch(`${stack.campaign.url}/api/admin/v1/campaigns/iphones`, { headers: stack.adminHeaders })).json()) as { data: { id: number } }).data;
    // What the Flink job publishes after a minute (the job itself runs in e2e/flink-audit.e2e.test.ts).
    const producer = new Producer({ clientId: "portal-e2e", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    const standings = (minute: string, winners: typeof ours) =>
      producer.send({
        messages: [
          {
            topic: `${stack.topicPrefix}campaign.flink.standings`,
            key: String(campaign.id),
            value: JSON.stringify({
              event_id: randomUUID(),
              type: "EngineStandings",
              version: 1,
              occurred_at: new Date().toISOString(),
              data: { campaign_id: campaign.id, engine: "Apache Flink 2.2.1 (1-minute micro-batch)", minute_end: minute, customers_so_far: 42, winners },
            }),
          },
        ],
      });
    try {
      // Two minutes inside the campaign's window (it started an hour ago): standings outside it are ignored.
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      await standings(new Date(minute - 120_000).toISOString(), ours.slice(1).map((w, i) => ({ ...w, rank: i + 1 })));
      await expect.poll(async () => await page.getByTestId("engine-standings-badge").textContent(), { timeout: 20_000 }).toBe("differs from ours");
      // A later minute that agrees replaces it (an older one never would).
      await standings(new Date(minute - 60_000).toISOString(), ours);
      await expect.poll(async () => await page.getByTestId("engine-standings-badge").textContent(), { timeout: 20_000 }).toBe("same winners as ours");
    } finally {
      await producer.close();
    }
  });

  it("lets an admin create a viewer on the Operators page; the viewer reads the campaign but cannot change it", async () => {
    await page.goto(`${stack.portalUrl}/operators`);
    const form = page.getByRole("form", { name: "New operator" });
    await form.getByLabel("Username").fill("vic.viewer");
    await form.getByLabel("Password (12+ characters)").fill("a long viewer password");
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Create operator" }).click();
    await page.getByTestId("operators").getByText("vic.viewer").waitFor();

    // The viewer in a browser of their own (sessions are per tab).
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const viewer = await context.newPage();
      await viewer.goto(`${stack.portalUrl}/login`);
      await viewer.getByLabel("Username").fill("vic.viewer");
      await viewer.getByLabel("Password").fill("a long viewer password");
      await viewer.getByRole("button", { name: "Sign in" }).click();
      await viewer.waitForURL(/\/$/);
      await expect.poll(() => viewer.getByTestId("signed-in-as").textContent()).toContain("viewer");
      await viewer.goto(`${stack.portalUrl}/campaign`);
      await viewer.getByTestId("inventory-total").waitFor();
      expect(await viewer.getByRole("button", { name: "Edit campaign" }).count()).toBe(0);
      expect(await viewer.getByRole("button", { name: "Close window now" }).count()).toBe(0);
      expect(await viewer.getByRole("link", { name: "Operators" }).count()).toBe(0);
      // And the server refuses what the page does not offer.
      const token = await viewer.evaluate(() => (JSON.parse(sessionStorage.getItem("spgroup.admin.session") ?? "{}") as { token?: string }).token);
      const refused = await fetch(`${stack.campaign.url}/api/admin/v1/campaigns/iphones/1/close`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      expect(refused.status).toBe(403);
    } finally {
      await context.close();
    }
  });

  it("lets an operator (not an admin) edit the campaign, and the activity log names them with the settings before and after", async () => {
    await page.goto(`${stack.portalUrl}/operators`);
    const form = page.getByRole("form", { name: "New operator" });
    await form.getByLabel("Username").fill("olga.ops");
    await form.getByLabel("Password (12+ characters)").fill("a long operator password");
    await form.getByLabel("Role").selectOption("operator");
    await form.getByRole("button", { name: "Create operator" }).click();
    await page.getByTestId("operators").getByText("olga.ops").waitFor();

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const operator = await context.newPage();
      await operator.goto(`${stack.portalUrl}/login`);
      await operator.getByLabel("Username").fill("olga.ops");
      await operator.getByLabel("Password").fill("a long operator password");
      await operator.getByRole("button", { name: "Sign in" }).click();
      await operator.waitForURL(/\/$/);
      await expect.poll(() => operator.getByTestId("signed-in-as").textContent()).toContain("operator");
      // An operator changes the sale but does not manage operators.
      expect(await operator.getByRole("link", { name: "Operators" }).count()).toBe(0);
      await operator.goto(`${stack.portalUrl}/campaign`);
      await operator.getByRole("button", { name: "Edit campaign" }).click();
      await operator.locator('input[name="name"]').fill("iPhone rush (renamed by olga)");
      await operator.getByRole("button", { name: "Save changes" }).click();
      await operator.getByRole("alertdialog", { name: "Confirm change" }).waitFor();
      await operator.getByRole("button", { name: "Yes, change it" }).click();
      await operator.getByText("iPhone rush (renamed by olga)").first().waitFor();

      await operator.goto(`${stack.portalUrl}/activity`);
      await operator.getByLabel("Operator", { exact: true }).fill("olga.ops");
      const edit = operator.getByTestId("activity").locator("tr", { hasText: "campaign.edit" });
      await expect.poll(() => edit.count()).toBe(1);
      const text = (await edit.textContent()) ?? "";
      expect(text).toMatch(/olga\.ops\s*operator/);
      expect(text).toContain("iPhone rush (renamed by olga)");
      expect(text).toMatch(/name: "[^"]+" → "iPhone rush \(renamed by olga\)"/);
    } finally {
      await context.close();
    }
  });

  it("closes the window while a slow payer's order is open: Why not FINAL names that order; once it fails by the timeout, its late charge is under Money at risk and refunded from the page", async () => {
    await placeOrder("SLOW-late", "300.00");
    const order = (await stack.orderDb.query("SELECT id FROM orders WHERE customer_id = 'SLOW-late'")).rows[0] as { id: string };
    await page.goto(`${stack.portalUrl}/campaign`);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Close window now" }).click();
    await page.getByTestId("finality-status").getByRole("link", { name: /why, per partition/ }).click();
    await page.waitForURL(/\/finality$/);
    // Its charge takes 15 s: until then the order awaits payment and holds its database's watermark.
    await expect.poll(async () => (await page.getByTestId("finality-holder").first().textContent()) ?? "", { timeout: 12_000 }).toContain(`Held by order ${order.id}`);
    expect(await page.getByTestId("finality-holder").first().textContent()).toContain("customer SLOW-late");
    expect(await page.getByTestId("finality-sources").textContent()).toMatch(/before the end|no watermark yet/);

    // The payment timeout passes before the charge answers (the order is aged rather than waited
    // for): the sweep fails it, the watermark moves past the end, and the campaign becomes FINAL.
    await stack.orderDb.query("UPDATE orders SET created_at = created_at - interval '2 minutes' WHERE id = $1 AND status = 'PROCESSING'", [order.id]);
    await page.getByTestId("finality-final").waitFor({ timeout: 30_000 });

    // Then the charge succeeds: the customer paid for a FAILED order, and the refund waits.
    await page.goto(`${stack.portalUrl}/money-at-risk`);
    const pending = page.getByTestId("pending-refunds");
    await pending.getByText(order.id).waitFor({ timeout: 30_000 });
    const row = pending.locator("tr", { hasText: order.id });
    expect(await row.getByTestId("refund-state").textContent()).toContain("still charged");
    expect(await page.getByTestId("money-at-risk-total").textContent()).toContain("SGD 300.00");
    await row.getByRole("button", { name: "Refund now" }).click();
    await pending.getByText("Nobody is charged for a FAILED order.").waitFor({ timeout: 10_000 });
    await page.getByTestId("settled-refunds").locator("tr", { hasText: order.id }).getByText(/refunded/).waitFor();
    const payment = (await stack.paymentDb.query("SELECT status FROM payments WHERE order_id = $1", [order.id])).rows[0] as { status: string };
    expect(payment.status).toBe("REFUNDED");

    await page.goto(`${stack.portalUrl}/activity`);
    await page.getByLabel("Action").selectOption("refund.now");
    const refunded = page.getByTestId("activity").locator("tr", { hasText: "refund.now" });
    await expect.poll(() => refunded.count()).toBe(1);
    expect(await refunded.textContent()).toContain(order.id);
  });

  it("shows FINAL and the independent engine's verdict with each difference", async () => {
    await page.goto(`${stack.portalUrl}/campaign`);
    await page.getByTestId("engine-audit").getByText("Not audited yet").waitFor({ timeout: 30_000 });

    // What `npm run audit` sends: Flink's winners (the job itself runs in e2e/flink-audit.e2e.test.ts);
    // the service compares them with its FINAL list. Here rank 1 is someone else.
    const campaign = ((await (await fetch(`${stack.campaign.url}/api/admin/v1/campaigns/iphones`, { headers: stack.adminHeaders })).json()) as { data: { id: number } }).data;
    const stored = await fetch(`${stack.campaign.url}/api/admin/v1/campaigns/iphones/${campaign.id}/engine-audits`, {
      method: "POST",
      headers: { ...stack.adminHeaders, "content-type": "application/json" },
      body: JSON.stringify({
        engine: "Apache Flink 2.2.1",
        records_read: 46,
        unreadable_records: 0,
        winners: [{ rank: 1, customer_id: "not-a-winner", customer_name: "Not A Winner", first_order_at: "2026-01-01T00:00:00.000000Z", max_order_amount: "999.00" }],
        seconds: 4.2,
      }),
    });
    expect(stored.status).toBe(201);
    await page.reload();
    await expect.poll(async () => (await page.getByTestId("engine-audit-verdict").textContent()) ?? "").toMatch(/DIFFERENCE/);
    await page.getByTestId("engine-audit").getByText("not-a-winner").first().waitFor();
  });

  it("keeps the FINAL campaign in the history with its winners, the audit's verdict and the CSV", async () => {
    await page.goto(`${stack.portalUrl}/history`);
    const row = page.getByTestId("history").locator("tbody tr").first();
    await expect.poll(() => row.textContent()).toMatch(/FINAL/);
    expect(await row.getByTestId("history-audit").textContent()).toMatch(/DIFFERENCE/);
    await row.click();
    await page.waitForURL(/campaign_id=\d+/);
    const record = page.getByTestId("history-record");
    await record.getByTestId("winners").getByText("newcomer-1", { exact: true }).waitFor();
    await expect.poll(() => record.textContent()).toContain("(FINAL)");
    const href = (await record.getByRole("link", { name: "Audit CSV" }).getAttribute("href")) ?? "";
    expect(href).toContain(`campaign_id=${new URL(page.url()).searchParams.get("campaign_id")}`);
    const csv = await page.request.get(`${stack.portalUrl}${href}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain("newcomer-1");
  });

  it("shows one customer's orders, payments and standing in the campaign", async () => {
    await page.goto(`${stack.portalUrl}/customer`);
    await page.getByLabel("Customer id").fill("newcomer-1");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/customer_id=newcomer-1/);
    await expect.poll(async () => (await page.getByTestId("customer-standing").textContent()) ?? "").toMatch(/Rank \d+ of the first 100 customers \(FINAL\).*wins an iPhone/);
    await expect.poll(async () => (await page.getByTestId("customer-orders").textContent()) ?? "").toMatch(/Orders \(1\).*SGD 888\.00.*SUCCESS/);
    await expect.poll(async () => (await page.getByTestId("customer-payments").textContent()) ?? "").toMatch(/Payments \(1\).*SGD 888\.00.*SUCCESS/);
    // A customer the campaign never saw.
    await page.goto(`${stack.portalUrl}/customer?customer_id=nobody-here`);
    await expect.poll(async () => (await page.getByTestId("customer-standing").textContent()) ?? "").toMatch(/Not among the first 100 customers/);
    await page.getByTestId("customer-orders").getByText("No orders.").waitFor();
  });

  it("shows each service's readiness, its consumer lag per partition, its databases and the Kafka brokers", async () => {
    await page.goto(`${stack.portalUrl}/system`);
    for (const service of ["order", "payment", "campaign"]) {
      const card = page.getByTestId(`system-${service}`);
      await expect.poll(async () => (await card.getByTestId("system-ready").textContent()) ?? "", { timeout: 15_000 }).toBe("ready");
      expect(await card.getByTestId("system-brokers").textContent()).toMatch(/brokers \d+ \(127\.0\.0\.1:\d+\)/);
      expect(await card.textContent()).toMatch(/MB/);
      // One row per partition of each topic the service consumes.
      expect(await card.getByTestId("system-lag").locator("tbody tr").count()).toBeGreaterThanOrEqual(4);
    }
    expect(await page.getByTestId("system-order").getByTestId("system-lag").textContent()).toContain("payments.completed");
  });

  it("lists a dead letter with its payload and error, replays it from the page, and logs who did", async () => {
    // A message the order service cannot read, on the topic of payment results.
    const producer = new Producer({ clientId: "portal-e2e", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    try {
      await producer.send({ messages: [{ topic: `${stack.topicPrefix}payments.completed`, key: "dl-customer", value: '{"type":"PaymentCompleted","broken":true}' }] });
    } finally {
      await producer.close();
    }
    await page.goto(`${stack.portalUrl}/dead-letters`);
    const letter = page.getByTestId("dead-letter").filter({ hasText: "dl-customer" });
    await expect
      .poll(
        async () => {
          if ((await letter.count()) === 0) await page.reload();
          return letter.count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(1);
    expect(await letter.textContent()).toContain("payments.completed");
    expect(await letter.textContent()).toContain("INVALID");
    await letter.getByRole("button", { name: "payload" }).click();
    expect(await letter.locator("pre").textContent()).toContain('"broken": true');
    await letter.getByRole("button", { name: "Replay" }).click();
    // Replayed: no longer waiting (it is read again, found unreadable again, and comes back as a new letter).
    await page.getByLabel("State").selectOption("replayed");
    await expect.poll(async () => (await page.getByTestId("dead-letter").filter({ hasText: "dl-customer" }).getByTestId("dead-letter-state").textContent()) ?? "", { timeout: 15_000 }).toMatch(/replayed by admin/);

    await page.goto(`${stack.portalUrl}/activity`);
    await page.getByLabel("Action").selectOption("dead-letter.replay");
    await expect.poll(() => page.getByTestId("activity").locator("tbody tr").count()).toBe(1);
    expect(await page.getByTestId("activity").locator("tbody tr").textContent()).toContain("payments.completed");
  });
});
