import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from "fastify";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { AdminAuth } from "./admin-auth.ts";
import { isTransientDatabaseError } from "../db/errors.ts";
import { HttpError } from "./errors.ts";

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
    // Errors the router raises before any route runs (a path parameter over 100 characters, a
    // malformed URL) get the same {error, code} shape as every other error.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      const message = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "path parameter too long" : error.code === "FST_ERR_BAD_URL" ? "malformed URL" : "bad request";
      return (reply as unknown as FastifyReply).code(status).send({ error: message, code: status });
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;
  app.setValidatorCompiler(validatorCompiler());

  // After the database failed to answer, further requests are refused at once for a short while
  // instead of each waiting for a connection: back-pressure, not a pile-up. The first request after
  // the window probes again.
  let unavailableUntil = 0;
  app.addHook("onRequest", async (request, reply) => {
    if (Date.now() >= unavailableUntil || !request.url.startsWith("/api/")) return;
    return reply.code(503).header("retry-after", "1").send({ error: "temporarily unavailable, retry shortly", code: 503 });
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.headers) reply.headers(error.headers);
      return reply.code(error.status).send({ error: error.message, code: error.status, ...(error.details ? { details: error.details } : {}) });
    }
    if (error.validation) {
      const details = error.validation.map((v) => `${error.validationContext ?? ""}${v.instancePath || ""} ${v.message ?? "is invalid"}`.trim());
      return reply.code(400).send({ error: `invalid request: ${details[0]}`, code: 400, details });
    }
    if (isTransientDatabaseError(error)) {
      // The database is unreachable: tell the client to come back instead of failing the order.
      request.log.warn({ err: error, url: request.url }, "database unavailable");
      unavailableUntil = Date.now() + 1_000;
      return reply.code(503).header("retry-after", "2").send({ error: "temporarily unavailable, retry shortly", code: 503 });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type.
      return reply.code(status).send({ error: error.message, code: status });
    }
    request.log.error({ err: error, url: request.url, method: request.method }, "unhandled error");
    return reply.code(500).send({ error: "internal error", code: 500 });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}`, code: 404 }));

  app.addHook("onResponse", async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  // Every /api/admin route requires an operator session, except the login that creates one.
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/api/admin/") || request.url.startsWith("/api/admin/v1/auth/login")) return;
    // EventSource and download links cannot send headers, so event streams and CSV exports may
    // carry the token in the query string instead.
    const path = request.url.split("?")[0] ?? "";
    const queryToken = path.endsWith("/stream") || path.endsWith(".csv") ? (request.query as { access_token?: string } | undefined)?.access_token : undefined;
    const operator = await adminAuth.verify(request.headers.authorization ?? (queryToken ? `Bearer ${queryToken}` : undefined));
    if (!operator) throw new HttpError(401, "admin credential required: sign in at POST /api/admin/v1/auth/login", { headers: { "www-authenticate": "Bearer" } });
  });

  await app.register(helmet, {
    // JSON APIs; the docs page needs inline scripts. The portal server sets its own CSP.
    contentSecurityPolicy: false,
  });
  await app.register(cors, { origin: options.corsOrigins ?? ["http://localhost:3000"], credentials: false });
  await app.register(rateLimit, {
    max: options.rateLimitPerClientPerMinute ?? 20_000,
    timeWindow: 60_000,
    allowList: (request) => ["/health", "/ready", "/metrics"].includes(request.url),
    errorResponseBuilder: (_request, context) => new HttpError(429, `too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });

  await app.register(swagger, {
    openapi: {
      info: { title: options.name, description: options.description, version: options.version ?? "1.0.0" },
      components: { securitySchemes: { admin: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const LoginBody = Type.Object(
    { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  );
  app.post(
    "/api/admin/v1/auth/login",
    { schema: { tags: ["admin"], summary: "Sign in as an operator; returns a bearer token", body: LoginBody } },
    async (request) => {
      const session = await adminAuth.login(request.body.username, request.body.password);
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


/** Starts listening as configured; returns the port actually bound (PORT=0 picks a free one). */
export async function listen(app: HttpApp, config: { host: string; port: number; httpReusePort: boolean }): Promise<number> {
  // Fastify hands these options to Node's server.listen, which knows reusePort (Linux, Node >= 22.12).
  // backlog: a rush of new connections must not overflow the accept queue (the kernel caps it at somaxconn).
  await app.listen({ host: config.host, port: config.port, backlog: 4096, ...(config.httpReusePort ? { reusePort: true } : {}) } as { host: string; port: number });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : config.port;
}
