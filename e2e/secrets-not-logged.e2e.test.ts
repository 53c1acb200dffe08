// Secrets never reach the logs: the services run as real processes at the most verbose level while
// operators sign in (right and wrong passwords) and call admin routes with their tokens (in the
// header, and in the query string as download links do), and
// customers order with theirs; then no password, token or signing key appears in any log line.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { customerHeaders } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

describe("secrets in the logs", () => {
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const wrongPassword = `wrong-${randomBytes(12).toString("hex")}`;
  const tokenSecret = `key-${randomBytes(24).toString("hex")}`;
  let stack: Awaited<ReturnType<typeof startProcessStack>>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"), { LOG_LEVEL: "trace", ADMIN_PASSWORD: password, ADMIN_TOKEN_SECRET: tokenSecret });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("holds no password, token or signing key after sign-ins, admin calls and orders", async () => {
    const secrets: string[] = [password, wrongPassword, tokenSecret];
    const login = (pw: string) =>
      fetch(`${stack.order.url}/api/admin/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "admin", password: pw }) });
    expect((await login(wrongPassword)).status).toBe(401);
    const signedIn = await login(password);
    expect(signedIn.status).toBe(200);
    const adminToken = ((await signedIn.json()) as { data: { token: string } }).data.token;
    secrets.push(adminToken);

    for (const url of [`${stack.order.url}/api/admin/v1/orders/search?size=5`, `${stack.payment.url}/api/admin/v1/payments/search?size=5`]) {
      expect((await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
      expect((await fetch(url, { headers: { authorization: `Bearer ${adminToken}x` } })).status).toBe(401);
    }
    // Download links and event streams carry the token in the query string: logged paths must not.
    const exportUrl = `${stack.order.url}/api/admin/v1/orders/export.csv`;
    const viaQuery = await fetch(`${exportUrl}?access_token=${adminToken}`);
    expect(viaQuery.status).toBe(200);
    await viaQuery.text();
    expect((await fetch(`${exportUrl}?access_token=${adminToken}x`)).status).toBe(401);
    expect((await fetch(`${exportUrl}?sort=nope&access_token=${adminToken}`)).status).toBe(400);
    secrets.push(`${adminToken}x`);
    const customer = await customerHeaders("secret-keeper");
    secrets.push(customer.authorization.slice("Bearer ".length));
    const ordered = await fetch(`${stack.order.url}/api/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...customer },
      body: JSON.stringify({ customer_id: "secret-keeper", customer_name: "Keeper", total_amount: 250 }),
    });
    expect(ordered.status).toBe(202);
    const refused = await fetch(`${stack.order.url}/api/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...customer },
      body: JSON.stringify({ customer_id: "someone-else", customer_name: "Keeper", total_amount: 250, password }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    await stack.stop();
    const files = await readdir(stack.logs);
    const text = (await Promise.all(files.map((f) => readFile(join(stack.logs, f), "utf8")))).join("\n");
    // The logs were written (at trace level, with the services' start-up and consumer activity)…
    expect(text.split("\n").filter((l) => l.startsWith("{")).length).toBeGreaterThan(5);
    // …and hold none of the secrets.
    for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) was logged`).toBe(false);
  });
});
