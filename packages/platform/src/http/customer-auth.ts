import { jwtVerify, SignJWT } from "jose";
import { type HmacKey, hs256Key } from "./token-key.ts";

const AUDIENCE = "spgroup-customer";

/** The local-development key for customer tokens; documented, overridden in any real deployment. */
export const LOCAL_CUSTOMER_SECRET = "local-dev-customer-secret-change-me-0123456789";

/**
 * Customer identity: a bearer JWT (HS256, CUSTOMER_TOKEN_SECRET) whose subject is the customer id,
 * as an identity provider or API gateway would issue it. Nobody can order, or win, in another
 * customer's name.
 */
export class CustomerAuth {
  readonly #key: Promise<HmacKey>;
  readonly #issuer: string | undefined;

  /** `issuer`: when set (CUSTOMER_TOKEN_ISSUER), tokens must name it in `iss`. */
  constructor(secret: string, issuer?: string) {
    if (secret.length < 32) throw new Error("CUSTOMER_TOKEN_SECRET must be at least 32 characters");
    this.#key = hs256Key(secret);
    this.#issuer = issuer;
  }

  async issue(customerId: string, ttlSeconds = 3_600): Promise<string> {
    const token = new SignJWT({}).setProtectedHeader({ alg: "HS256" });
    if (this.#issuer) token.setIssuer(this.#issuer);
    return token
      .setSubject(customerId)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(await this.#key);
  }

  /** The customer id a token proves, or undefined for a missing, forged or expired one. */
  async verify(authorization: string | undefined): Promise<string | undefined> {
    const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(authorization ?? "");
    if (!match?.[1]) return undefined;
    try {
      // exp is required: an identity provider's token without one would be valid for ever.
      const { payload } = await jwtVerify(match[1], await this.#key, {
        audience: AUDIENCE,
        algorithms: ["HS256"],
        requiredClaims: ["exp", "sub"],
        ...(this.#issuer ? { issuer: this.#issuer } : {}),
      });
      return typeof payload.sub === "string" ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
