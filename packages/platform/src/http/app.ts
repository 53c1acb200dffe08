import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { asyncApiDocument, DomainError, type OperatorRole, roleAtLeast } from "@spgroup/contracts";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from "fastify";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { childTraceparent, traceIdOf } from "../tracing.ts";
import type { AdminAuth, OperatorIdentity } from "./admin-auth.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The least operator role an admin route needs (default: viewer to read, operator otherwise). */
    role?: OperatorRole;
  }
  interface FastifyRequest {
    /** The signed-in operator of an admin route (set once the token and role are checked). */
    operator?: OperatorIdentity;
    /** This request's span (W3C traceparent), of the caller's trace when it sent a valid one; its events carry it. */
    traceparent: string;
  }
}
import { DatabaseUnavailable, isTransientDatabaseError } from "../db/errors.ts";
import { expectedErrorReply, HttpError } from "./errors.ts";

/** The span made with each request's logger (childLoggerFactory), for its onRequest hook. */
const spanOfRaw = new WeakMap<object, string>();

export type HttpApp = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

export interface HttpAppOptions {
  name: string;
  version?: string;
  description: string;
  logger: Logger;
  metrics: Metrics;
  adminAuth: AdminAuth;
  /** Each dependency's reachability; /ready answers 503 when any is false. */
  readiness: () => Promise<Record<string, boolean>>;
  bodyLimit?: number;
  keepAliveTimeoutMs?: number;
  corsOrigins?: string[];
  rateLimitPerClientPerMinute?: number;
  /** Sign-in attempts per minute from one client address (each costs a scrypt). */
  loginAttemptsPerClientPerMinute?: number;
  /** KAFKA_TOPIC_PREFIX, so the AsyncAPI document names the topics as this deployment has them. */
  topicPrefix?: string;
}

// Bodies are validated strictly (no coercion, unknown fields rejected); query strings and params
// arrive as text, so they are coerced to the schema's types.
function validatorCompiler() {
  const strict = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true, strict: false });
  const coercing = new Ajv({ coerceTypes: "array", removeAdditional: false, useDefaults: true, allErrors: true, strict: false });
  addFormats.default(strict);
  addFormats.default(coercing);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    httpPart === "body" ? strict.compile(schema) : coercing.compile(schema);
}

/**
 * The Fastify app every service starts from: validation, one error shape, health and readiness,
 * Prometheus metrics, OpenAPI docs at /docs, and admin authentication for /api/admin/*.
 * Boot order: plugins here, then the service registers its routes.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const { logger, metrics, adminAuth } = options;
  const app = Fastify({
    loggerInstance: logger,
    // Per-request logs would dominate the hot path; latency goes to metrics, errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    return503OnClosing: true,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    requestIdHeader: "x-request-id",
    // The request's one child logger carries its trace id (W3C Trace Context, below): the span is
    // made here, where Fastify makes that logger, and kept for the onRequest hook.
    childLoggerFactory(parent, bindings, options, raw) {
      const incoming = raw.headers.traceparent;
      const traceparent = childTraceparent(typeof incoming === "string" ? incoming : undefined);
      spanOfRaw.set(raw, traceparent);
      return parent.child({ ...bindings, trace_id: traceIdOf(traceparent) }, options);
    },
    // Errors the router raises before any route runs (a path parameter over 100 characters, a
    // malformed URL) get the same {error, code} shape as every other error.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      const message = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "path parameter too long" : error.code === "FST_ERR_BAD_URL" ? "malformed URL" : "bad request";
      return (reply as unknown as FastifyReply).code(status).send({ error: message, code: status });
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;
  app.setValidatorCompiler(validatorCompiler());
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonExactly(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });

  // W3C Trace Context, before anything may refuse the request: the caller's trace (a valid
  // `traceparent` header, exactly as the spec spells it) or a new one; the request's log lines carry
  // its trace id, the events it writes carry it as a Kafka header, and every answer says it
  // (traceparent header), so one order's path can be found in every service's log. A trace id is
  // for correlation only: behind a gateway, let the gateway start (or restart) the trace.
  app.decorateRequest("traceparent", "");
  app.addHook("onRequest", async (request, reply) => {
    request.traceparent = spanOfRaw.get(request.raw) ?? childTraceparent();
    reply.header("traceparent", request.traceparent);
  });

  // Only origin-form request targets ("/path?query"). The router would also take an absolute-form
  // target ("http://host/api/…") and route it by its path; nothing here needs that form, so it is
  // refused before anything else looks at the request.
  app.addHook("onRequest", async (request, reply) => {
    if (!isOriginForm(request.raw.url)) return reply.code(400).send({ error: "request target must be an absolute path", code: 400 });
  });

  // Per client address, before anything else refuses (before a token is verified, a body read or a route's own
  // hooks): an anonymous flood is limited like any other. Registered as an app-level hook rather
  // than the plugin's per-route one, which would run after the authentication hooks.
  await app.register(rateLimit, {
    global: false,
    max: options.rateLimitPerClientPerMinute ?? 20_000,
    timeWindow: 60_000,
    // A client that hung up before its request was handled has no address left (request.ip is
    // undefined, and the limiter's own key function would throw a 500).
    keyGenerator: clientKey,
    // Only the liveness probe is free; /ready and /metrics query the database and the brokers.
    allowList: (request) => request.routeOptions.url === "/health",
    errorResponseBuilder: (_request, context) => new HttpError(429, `too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  app.addHook("onRequest", app.rateLimit());

  // Any thrown value arrives here; the FastifyError type covers what the branches after the first read.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const expected = expectedErrorReply(error);
    if (expected) {
      if (expected.headers) reply.headers(expected.headers);
      return reply.code(expected.status).send(expected.body);
    }
    if (error.validation) {
      const details = error.validation.map((v) => `${error.validationContext ?? ""}${v.instancePath || ""} ${v.message ?? "is invalid"}`.trim());
      return reply.code(400).send({ error: `invalid request: ${details[0]}`, code: 400, details });
    }
    if (isTransientDatabaseError(error)) {
      // The database is unreachable: tell the client to come back instead of failing the order.
      // Refused at once for a moment after a failure, by the pool of the database that failed
      // (db/pool.ts), not here: with shards, the other databases' customers are still served.
      if (!(error instanceof DatabaseUnavailable)) request.log.warn({ err: error, route: request.routeOptions.url, path: pathOf(request.url) }, "database unavailable");
      return reply.code(503).header("retry-after", "2").send({ error: "temporarily unavailable, retry shortly", code: 503 });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type.
      return reply.code(status).send({ error: error.message, code: status });
    }
    request.log.error({ err: error, route: request.routeOptions.url, path: pathOf(request.url), method: request.method }, "unhandled error");
    return reply.code(500).send({ error: "internal error", code: 500 });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${pathOf(request.url).slice(0, 200)}`, code: 404 }));

  app.addHook("onResponse", async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  // Every /api/admin route requires an operator session, except the login that creates one. Access
  // is decided by the route the router matched (its declared pattern), never by the raw URL: the
  // router decodes percent-escapes, so "/api/%61dmin/…" reaches an admin route too.
  app.decorateRequest("operator", undefined);
  app.addHook("onRequest", async (request) => {
    const route = request.routeOptions.url;
    if (!route || !isAdminRoute(route)) return;
    // EventSource and download links cannot send headers, so event streams and CSV exports may
    // carry the token in the query string instead.
    const queryToken = route.endsWith("/stream") || route.endsWith(".csv") ? (request.query as { access_token?: unknown } | undefined)?.access_token : undefined;
    const operator = await adminAuth.verifyOperator(request.headers.authorization ?? (typeof queryToken === "string" ? `Bearer ${queryToken}` : undefined));
    if (!operator) throw new HttpError(401, "admin credential required: sign in at POST /api/admin/v1/auth/login", { headers: { "www-authenticate": "Bearer" } });
    // The role the matched route needs: its own (config.role), else reading needs a viewer and
    // anything else an operator.
    const needed = request.routeOptions.config.role ?? (request.method === "GET" || request.method === "HEAD" ? "viewer" : "operator");
    if (!roleAtLeast(operator.role, needed)) throw new DomainError("FORBIDDEN_ROLE", `this needs the ${needed} role; ${operator.name} is ${operator.role === "admin" ? "an" : "a"} ${operator.role}`);
    request.operator = operator;
  });

  await app.register(helmet, {
    // JSON APIs; the docs page needs inline scripts. The portal server sets its own CSP.
    contentSecurityPolicy: false,
  });
  await app.register(cors, { origin: options.corsOrigins ?? ["http://localhost:3000"], credentials: false, exposedHeaders: ["traceparent"] });

  await app.register(swagger, {
    openapi: {
      info: { title: options.name, description: options.description, version: options.version ?? "1.0.0" },
      components: { securitySchemes: { admin: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  // The Kafka side of the same contracts, next to the OpenAPI document.
  const asyncApi = asyncApiDocument(options.topicPrefix ?? "");
  app.get("/docs/asyncapi.json", { schema: { hide: true } }, async () => asyncApi);

  const LoginBody = Type.Object(
    { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  );
  const loginLimiter = app.createRateLimit({
    max: options.loginAttemptsPerClientPerMinute ?? 20,
    timeWindow: 60_000,
    keyGenerator: (request) => `login:${clientKey(request)}`,
  });
  app.post(
    LOGIN_ROUTE,
    {
      // Each attempt costs a scrypt on the thread pool that also verifies customer tokens: a tight
      // per-address limit here, and AdminAuth runs at most a few at once and turns away the rest.
      // (Not the plugin's route option: the app-level limiter has already run for this request,
      // and the plugin runs one limiter per request.)
      onRequest: async (request) => {
        const limit = await loginLimiter(request);
        if (!limit.isAllowed && limit.isExceeded) {
          const seconds = Math.max(1, Math.ceil(limit.ttl / 1000));
          throw new HttpError(429, `too many sign-in attempts; retry in ${seconds} s`, { headers: { "retry-after": String(seconds) } });
        }
      },
      schema: { tags: ["admin"], summary: "Sign in as an operator; returns a bearer token", body: LoginBody },
    },
    async (request) => {
      const session = await adminAuth.login(request.body.username, request.body.password);
      if (session === "busy") throw new HttpError(503, "too many sign-ins at once, retry shortly", { headers: { "retry-after": "1" } });
      if (!session) throw new HttpError(401, "wrong username or password");
      return { data: session };
    },
  );

  app.get("/health", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const checks = await options.readiness();
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return app;
}


/**
 * JSON.parse that refuses what would silently change meaning: a number the float cannot hold
 * exactly (200.009999999999999 would become 200.01, 12345678901234567890 would lose digits) and
 * "__proto__" keys. Uses the parser's source text of each number (Node >= 22 / V8's JSON.parse
 * source access).
 */
export function parseJsonExactly(text: string): unknown {
  if (text.trim() === "") throw new Error("body is empty; send a JSON document");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (key === "__proto__") throw new ExactJsonError('"__proto__" is not an accepted key');
      if (typeof value === "number" && context?.source !== undefined && !sameDecimal(context.source, String(value))) {
        throw new ExactJsonError(`number ${context.source.slice(0, 40)} cannot be represented exactly; send it as a string`);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof ExactJsonError) throw error;
    throw new Error("body is not valid JSON");
  }
  return parsed;
}

class ExactJsonError extends Error {}

/** Whether two decimal numerals (JSON grammar, or JS's String(number)) denote the same value. */
export function sameDecimal(a: string, b: string): boolean {
  return canonicalDecimal(a) === canonicalDecimal(b);
}

function canonicalDecimal(numeral: string): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(numeral.trim());
  if (!match) return numeral;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  let digits = whole + fraction;
  let scale = Number(exponent) - fraction.length;
  digits = digits.replace(/^0+/, "");
  if (digits === "") return "0";
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  scale += trailing;
  return `${sign}${digits}e${scale}`;
}

/**
 * The rate limiters' key for a client: its address, an IPv4-mapped IPv6 address as IPv4 and an
 * IPv6 address by its /64 (a host owns a whole /64 and could rotate through it), as the plugin's
 * own default does. A client that hung up already has no address left.
 */
function clientKey(request: { ip?: string; socket?: { remoteAddress?: string } }): string {
  const address = request.ip ?? request.socket?.remoteAddress;
  return address ? normalizeIP(address, 64) : "gone";
}

export const LOGIN_ROUTE = "/api/admin/v1/auth/login";

/** Routes (declared patterns) that need an operator token: all of /api/admin/ but the login. */
export function isAdminRoute(route: string): boolean {
  return route.startsWith("/api/admin/") && route !== LOGIN_ROUTE;
}

/** "/path" or "/path?query": the only request-target form the services serve (RFC 9112 3.2.1). */
export function isOriginForm(target: string | undefined): boolean {
  return typeof target === "string" && target.startsWith("/");
}

/** The URL's path without its query string, which may carry an access token and is never logged. */
export function pathOf(url: string): string {
  const end = url.indexOf("?");
  return end === -1 ? url : url.slice(0, end);
}

/** Starts listening as configured; returns the port actually bound (PORT=0 picks a free one). */
export async function listen(app: HttpApp, config: { host: string; port: number; httpReusePort: boolean }): Promise<number> {
  // Fastify hands these options to Node's server.listen, which knows reusePort (Linux, Node >= 22.12).
  // backlog: a rush of new connections must not overflow the accept queue (the kernel caps it at somaxconn).
  await app.listen({ host: config.host, port: config.port, backlog: 4096, ...(config.httpReusePort ? { reusePort: true } : {}) } as { host: string; port: number });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : config.port;
}
