// Operators and roles: an admin creates operators; each signs in with their own password and gets
// a token with their role; every admin route checks it (viewer < operator < admin); a disabled
// operator cannot sign in.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

describe("operators and roles", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  const json = { "content-type": "application/json" };

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"));
  });
  afterAll(async () => {
    await harness.stop();
  });

  const create = (body: object, headers = harness.adminHeaders) =>
    harness.service.app.inject({ method: "POST", url: "/api/admin/v1/operators", headers: { ...headers, ...json }, payload: body });
  const signIn = (username: string, password: string) =>
    harness.service.app.inject({ method: "POST", url: "/api/admin/v1/auth/login", headers: json, payload: { username, password } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("lets an admin create operators who sign in with their own password and role", async () => {
    const created = await create({ username: "vera.viewer", password: "a long viewer password", role: "viewer" });
    expect(created.statusCode).toBe(201);
    expect(created.json().data).toMatchObject({ username: "vera.viewer", role: "viewer", disabled: false });
    expect((await create({ username: "otto", password: "a long operator password", role: "operator" })).statusCode).toBe(201);

    const session = await signIn("vera.viewer", "a long viewer password");
    expect(session.statusCode).toBe(200);
    expect(session.json().data).toMatchObject({ username: "vera.viewer", role: "viewer" });
    expect((await signIn("vera.viewer", "the wrong password")).statusCode).toBe(401);
    expect((await signIn("nobody", "a long viewer password")).statusCode).toBe(401);

    const list = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/operators", headers: harness.adminHeaders });
    expect(list.json().data.map((o: { username: string }) => o.username)).toEqual(["otto", "vera.viewer"]);
    // No password hash ever leaves the service.
    expect(list.body).not.toMatch(/scrypt/);
  });

  it("lets a viewer read but not change, and an operator change orders' world but not operators", async () => {
    const viewer = bearer((await signIn("vera.viewer", "a long viewer password")).json().data.token);
    const operator = bearer((await signIn("otto", "a long operator password")).json().data.token);
    expect((await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/orders/search", headers: viewer })).statusCode).toBe(200);
    const refused = await create({ username: "sneaky", password: "a long sneaky password", role: "admin" }, viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 403, error_code: "FORBIDDEN_ROLE" });
    expect((await create({ username: "sneaky", password: "a long sneaky password", role: "admin" }, operator)).statusCode).toBe(403);
    expect((await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/operators", headers: operator })).statusCode).toBe(403);
    // Nothing was created by the refused calls.
    expect((await signIn("sneaky", "a long sneaky password")).statusCode).toBe(401);
  });

  it("refuses a taken name, the configured admin's name, a short password and a bad name, changing nothing", async () => {
    expect((await create({ username: "otto", password: "another long password", role: "viewer" })).json()).toMatchObject({ code: 409, error_code: "OPERATOR_EXISTS" });
    expect((await create({ username: "admin", password: "another long password", role: "viewer" })).statusCode).toBe(409);
    expect((await create({ username: "shorty", password: "short", role: "viewer" })).statusCode).toBe(400);
    expect((await create({ username: "Bad Name", password: "another long password", role: "viewer" })).statusCode).toBe(400);
    expect((await create({ username: "rolf", password: "another long password", role: "root" })).statusCode).toBe(400);
    const list = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/operators", headers: harness.adminHeaders });
    expect(list.json().data).toHaveLength(2);
  });

  it("disables an operator (no sign-in), changes a role and resets a password", async () => {
    const put = (name: string, body: object) =>
      harness.service.app.inject({ method: "PUT", url: `/api/admin/v1/operators/${name}`, headers: { ...harness.adminHeaders, ...json }, payload: body });
    expect((await put("otto", { disabled: true })).json().data).toMatchObject({ disabled: true });
    expect((await signIn("otto", "a long operator password")).statusCode).toBe(401);
    expect((await put("otto", { disabled: false, role: "admin", password: "a brand new password" })).json().data).toMatchObject({ disabled: false, role: "admin" });
    expect((await signIn("otto", "a long operator password")).statusCode).toBe(401);
    expect((await signIn("otto", "a brand new password")).json().data).toMatchObject({ role: "admin" });
    expect((await put("ghost", { disabled: true })).statusCode).toBe(404);
    expect((await put("otto", {})).statusCode).toBe(400);
  });

  it("takes back at once what a disabled or demoted operator's token still claims (here, where the directory is)", async () => {
    expect((await create({ username: "ada.admin", password: "a long admin password", role: "admin" })).statusCode).toBe(201);
    const ada = bearer((await signIn("ada.admin", "a long admin password")).json().data.token);
    const list = () => harness.service.app.inject({ method: "GET", url: "/api/admin/v1/operators", headers: ada });
    expect((await list()).statusCode).toBe(200);
    const put = (body: object) => harness.service.app.inject({ method: "PUT", url: "/api/admin/v1/operators/ada.admin", headers: { ...harness.adminHeaders, ...json }, payload: body });
    // Demoted: her admin token no longer manages operators, so she cannot give herself admin back.
    await put({ role: "viewer" });
    expect((await list()).statusCode).toBe(403);
    const selfRestore = await harness.service.app.inject({ method: "PUT", url: "/api/admin/v1/operators/ada.admin", headers: { ...ada, ...json }, payload: { role: "admin" } });
    expect(selfRestore.statusCode).toBe(403);
    // Disabled: her token is refused outright.
    await put({ disabled: true });
    expect((await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/orders/search", headers: ada })).statusCode).toBe(401);
  });

  it("records each change in the activity log with who, before and after, and never a password", async () => {
    const log = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/ops/activity?action=operator.change", headers: harness.adminHeaders });
    const changes = (log.json().data as { actor: string; target: string; before: Record<string, unknown>; after: Record<string, unknown> }[]).filter((c) => c.target === "operator otto");
    expect(changes.map((c) => [c.actor, c.target])).toEqual([
      ["test-operator", "operator otto"],
      ["test-operator", "operator otto"],
    ]);
    // Latest first: the role change with a password reset, then the disabling.
    expect(changes[0]?.before).toEqual({ role: "operator", disabled: true });
    expect(changes[0]?.after).toEqual({ role: "admin", disabled: false, password: "reset" });
    expect(changes[1]?.after).toEqual({ role: "operator", disabled: true });
    const csv = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/ops/activity.csv", headers: harness.adminHeaders });
    expect(csv.body.split("\n")[0]).toBe("at,actor,role,action,target,before,after");
    expect(csv.body).toContain("operator.create");
    expect(csv.body).not.toMatch(/a long|brand new|scrypt/);
    // Refused changes left no entry.
    expect((await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/ops/activity?action=operator.create", headers: harness.adminHeaders })).json().data).toHaveLength(3);
  });
});
