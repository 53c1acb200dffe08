// `npm run screenshots`: with `npm start` running (ideally during `npm run demo`), captures every
// page of the portal into docs/screenshots/ for the README.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.ts";

const base = process.env.PORTAL_URL ?? "http://localhost:3000";
const out = fileURLToPath(new URL("../../../docs/screenshots", import.meta.url));
await mkdir(out, { recursive: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const shot = async (name: string, fullPage = false) => {
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage });
  console.log(`docs/screenshots/${name}.png`);
};

await page.goto(`${base}/login`);
await shot("login");
await page.getByLabel("Username").fill(process.env.ADMIN_USERNAME ?? "admin");
await page.getByLabel("Password").fill(process.env.ADMIN_PASSWORD ?? "admin");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(`${base}/`);
await shot("dashboard");
await page.goto(`${base}/orders?sort=-total_amount`);
await page.locator("tbody tr").first().waitFor();
await shot("orders");
await page.locator("tbody tr").first().click();
await page.getByTestId("timeline").waitFor();
await shot("order-detail");
await page.goto(`${base}/payments?status=FAILED`);
await page.locator("tbody tr").first().waitFor();
await shot("payments");
await page.goto(`${base}/campaign`);
await page.getByRole("button", { name: /Audit/ }).click();
await shot("campaign", true);
await page.setViewportSize({ width: 420, height: 860 });
await page.goto(`${base}/orders`);
await shot("orders-narrow");
await browser.close();
