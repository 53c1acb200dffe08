import { createHmac } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CustomerAuth } from "./customer-auth.ts";

const SECRET = "a-customer-token-secret-of-enough-length-0123";
const key = new TextEncoder().encode(SECRET);
const now = Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A compact JWS signed with `secret` over any header and claims (no library in the way). */
function forge(header: unknown, claims: unknown, secret = SECRET): string {
  const signingInput = `${b64(header)}.${b64(claims)}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}
const good = { sub: "cust-1", aud: "spgroup-customer", exp: now + 600, iat: now };

/** What the same check gave through jose's jwtVerify (the previous implementation). */
async function viaJose(token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, { audience: "spgroup-customer", algorithms: ["HS256"], requiredClaims: ["exp", "sub"], currentDate: new Date(now * 1000) });
    return typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

describe("CustomerAuth", () => {
  const auth = new CustomerAuth(SECRET);
  const check = (token: string) => auth.verifyNow(`Bearer ${token}`, now);

  it("accepts the tokens it issues, and a well-formed one from any HS256 signer", async () => {
    expect(await auth.verify(`Bearer ${await auth.issue("cust-9")}`)).toBe("cust-9");
    expect(check(forge({ alg: "HS256", typ: "JWT" }, good))).toBe("cust-1");
    expect(check(forge({ alg: "HS256" }, { ...good, aud: ["other", "spgroup-customer"], nbf: now - 5 }))).toBe("cust-1");
  });

  it.each([
    ["a wrong key", forge({ alg: "HS256" }, good, "another-secret-of-enough-length-012345678")],
    ["alg none", `${b64({ alg: "none" })}.${b64(good)}.`],
    ["alg none with a signature", forge({ alg: "none" }, good)],
    ["alg HS512 in the header", forge({ alg: "HS512" }, good)],
    ["a crit header", forge({ alg: "HS256", crit: ["b64"], b64: false }, good)],
    ["no exp", forge({ alg: "HS256" }, { ...good, exp: undefined })],
    ["exp as text", forge({ alg: "HS256" }, { ...good, exp: String(now + 600) })],
    ["an expired token", forge({ alg: "HS256" }, { ...good, exp: now })],
    ["nbf in the future", forge({ alg: "HS256" }, { ...good, nbf: now + 60 })],
    ["iat as text", forge({ alg: "HS256" }, { ...good, iat: "yesterday" })],
    ["no audience", forge({ alg: "HS256" }, { ...good, aud: undefined })],
    ["another audience", forge({ alg: "HS256" }, { ...good, aud: "spgroup-admin" })],
    ["no subject", forge({ alg: "HS256" }, { ...good, sub: undefined })],
    ["an empty subject", forge({ alg: "HS256" }, { ...good, sub: "" })],
    ["a numeric subject", forge({ alg: "HS256" }, { ...good, sub: 42 })],
    ["claims that are an array", forge({ alg: "HS256" }, [good])],
    ["a header that is not JSON", forge("not json", good)],
  ])("refuses %s, as jose does", async (_what, token) => {
    expect(check(token)).toBeUndefined();
    expect(await viaJose(token)).toBeUndefined();
  });

  it("takes nbf equal to now and refuses exp equal to now, as jose does", async () => {
    const atNow = forge({ alg: "HS256" }, { ...good, nbf: now });
    expect(check(atNow)).toBe("cust-1");
    expect(await viaJose(atNow)).toBe("cust-1");
    const expiring = forge({ alg: "HS256" }, { ...good, exp: now + 1 });
    expect(auth.verifyNow(`Bearer ${expiring}`, now + 1)).toBeUndefined();
    expect(auth.verifyNow(`Bearer ${expiring}`, now)).toBe("cust-1");
  });

  it("refuses a tampered payload, a truncated signature and anything that is not a bearer JWT", async () => {
    const token = await auth.issue("cust-1");
    const [h, , s] = token.split(".");
    expect(check(`${h}.${b64({ ...good, sub: "someone-else" })}.${s}`)).toBeUndefined();
    expect(check(token.slice(0, -2))).toBeUndefined();
    expect(auth.verifyNow(token, now)).toBeUndefined();
    expect(auth.verifyNow(undefined, now)).toBeUndefined();
    expect(auth.verifyNow(`Bearer ${token}.extra`, now)).toBeUndefined();
  });

  it("requires the configured issuer", async () => {
    const strict = new CustomerAuth(SECRET, "idp.example");
    expect(strict.verifyNow(`Bearer ${forge({ alg: "HS256" }, good)}`, now)).toBeUndefined();
    expect(strict.verifyNow(`Bearer ${forge({ alg: "HS256" }, { ...good, iss: "idp.example" })}`, now)).toBe("cust-1");
    expect(await strict.verify(`Bearer ${await strict.issue("cust-2")}`)).toBe("cust-2");
  });

  it("agrees with jose on tokens jose signs", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("cust-3").setAudience("spgroup-customer").setExpirationTime(now + 60).sign(key);
    expect(check(token)).toBe("cust-3");
    expect(await viaJose(token)).toBe("cust-3");
  });
});
