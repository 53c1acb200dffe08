import { describe, expect, it } from "vitest";
import { LOCAL_ADMIN_SECRET } from "../config.ts";
import { AdminAuth, hashPassword } from "./admin-auth.ts";

describe("operator sign-in", () => {
  it("runs one scrypt at a time with at most 8 waiting, and answers busy to the rest at once (a flood cannot take the thread pool)", async () => {
    const auth = new AdminAuth({ tokenSecret: LOCAL_ADMIN_SECRET, tokenIssuer: "t", tokenTtlSeconds: 60, username: "admin", passwordHash: await hashPassword("right", 2 ** 14) });
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => auth.login("admin", "wrong")));
    expect(outcomes.filter((o) => o === "busy")).toHaveLength(21);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(9);
    // Once the flood has passed, the right password signs in.
    const session = await auth.login("admin", "right");
    expect(session).toMatchObject({ token: expect.any(String) });
  });

  it("lets the configured admin sign in while the operator directory cannot be read, and reports that directory's failure for other tokens (a 503, not a 401)", async () => {
    const auth = new AdminAuth({ tokenSecret: LOCAL_ADMIN_SECRET, tokenIssuer: "t", tokenTtlSeconds: 60, username: "admin", passwordHash: await hashPassword("right", 2 ** 14) });
    const operatorToken = (await auth.issue("otto", "operator")).token;
    auth.useDirectory({
      find: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    expect(await auth.login("admin", "right")).toMatchObject({ username: "admin", role: "admin" });
    await expect(auth.verifyOperator(`Bearer ${operatorToken}`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(auth.login("otto", "whatever")).rejects.toThrow(/ECONNREFUSED/);
    // A forged token is still just refused, without asking anyone.
    expect(await auth.verifyOperator("Bearer not.a.token.at.all")).toBeUndefined();
  });
});
