// `npm run screenshots`: with `npm start` running (ideally during `npm run demo`), captures every
// page of the portal into docs/screenshots/ for the README. SCREENSHOTS=finality,money-at-risk
// captures only those (e.g. the Why not FINAL page while a campaign is CLOSING).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.ts";

const base = process.env.PORTAL_URL ?? "http://localhost:3000";
const only = process.env.SCREENSHOTS ? new Set(process.env.SCREENSHOTS.split(",")) : undefined;
const out = fileURLToPath(new URL("../../../docs/screenshots", import.meta.url));
await mkdir(out, { recursive: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const wanted = (name: string) => !only || only.has(name);
const shot = async (name: string, fullPage = false) => {
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage });
  console.log(`docs/screenshots/${name}.png`);
};
/** Opens `path` and captures it as `name`, once `ready` (a selector) shows, when that page is wanted. */
const capture = async (name: string, path: string, ready?: string, fullPage = false) => {
  if (!wanted(name)) return;
  await page.goto(`${base}${path}`);
  if (ready) await page.locator(ready).first().waitFor({ timeout: 20_000 });
  await shot(name, fullPage);
};

await page.goto(`${base}/login`);
if (wanted("login")) await shot("login");
await page.getByLabel("Username").fill(process.env.ADMIN_USERNAME ?? "admin");
await page.getByLabel("Password").fill(process.env.ADMIN_PASSWORD ?? "admin");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(`${base}/`);
if (wanted("dashboard")) await shot("dashboard");
await capture("orders", "/orders?sort=-total_amount", "tbody tr");
if (wanted("order-detail")) {
  await page.goto(`${base}/orders?sort=-total_amount`);
  await page.locator("tbody tr").first().click();
  await page.getByTestId("timeline").waitFor();
  await shot("order-detail");
}
await capture("payments", "/payments?status=FAILED", "tbody tr");
if (wanted("campaign")) {
  await page.goto(`${base}/campaign`);
  await page.getByRole("button", { name: /Audit/ }).click();
  await shot("campaign", true);
}
await capture("finality", "/finality", "h1", true);
await capture("history", "/history", "[data-testid=history] tbody tr");
if (wanted("history-record")) {
  await page.goto(`${base}/history`);
  await page.getByTestId("history").locator("tbody tr").first().click();
  await page.getByTestId("history-record").waitFor();
  await shot("history-record", true);
}
if (wanted("customer")) {
  await page.goto(`${base}/campaign`);
  const winner = (await page.getByTestId("winners").locator("tbody tr td:nth-child(2)").first().textContent({ timeout: 20_000 })) ?? "";
  await capture("customer", `/customer?customer_id=${encodeURIComponent(winner.trim())}`, "[data-testid=customer-standing]");
}
await capture("money-at-risk", "/money-at-risk", "[data-testid=money-at-risk-total]", true);
await capture("dead-letters", "/dead-letters?", "h1", true);
await capture("system", "/system", "[data-testid=system-ready]", true);
await capture("activity", "/activity", "[data-testid=activity] tbody tr");
await capture("operators", "/operators", "[data-testid=operators] tbody tr");
if (wanted("orders-narrow")) {
  await page.setViewportSize({ width: 420, height: 860 });
  await page.goto(`${base}/orders`);
  await shot("orders-narrow");
}
await browser.close();
