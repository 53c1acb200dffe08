// The portal in production: the Vite build as static files, and the services' APIs proxied under
// the same origin (so the browser needs no CORS and the operator token never leaves this origin).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import proxy from "@fastify/http-proxy";
import fastifyStatic from "@fastify/static";
import Fastify from "fastify";
import { API_ROUTES, upstreamUrls } from "./routes.ts";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
if (!existsSync(DIST)) throw new Error("no portal build: run `npm run build -w @spgroup/admin-portal` first");

const upstream = upstreamUrls(process.env);

const app = Fastify({
  logger: {
    level: process.env.LOG_LEVEL ?? "warn",
    // Event streams and CSV links carry the operator token in the query string: log paths only.
    serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, path: request.url.split("?")[0] }) },
  },
});
app.addHook("onSend", async (_request, reply) => {
  reply.header("x-content-type-options", "nosniff");
  reply.header("x-frame-options", "DENY");
  reply.header("referrer-policy", "no-referrer");
  reply.header("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'");
});
for (const { prefix, service } of API_ROUTES) {
  await app.register(proxy, { upstream: upstream[service], prefix, rewritePrefix: prefix, http2: false });
}

app.get("/health", async () => ({ status: "ok" }));

/** Consumer lag per service, read from their Prometheus endpoints, for the dashboard. */
app.get("/ops/lag", async () => {
  const entries = await Promise.all(
    Object.entries(upstream).map(async ([service, url]) => {
      try {
        const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
        const line = text.split("\n").find((l) => /^spgroup_consumer_lag[{ ]/.test(l));
        return [service, line ? Number(line.split(" ").at(-1)) : null] as const;
      } catch {
        return [service, null] as const;
      }
    }),
  );
  return { data: Object.fromEntries(entries) };
});

await app.register(fastifyStatic, { root: DIST, wildcard: false });
// Client-side routes (/orders, /campaign, …) all load the app.
app.setNotFoundHandler((request, reply) => {
  if (request.url.startsWith("/api/")) return reply.code(404).send({ error: "not found", code: 404 });
  return reply.sendFile("index.html");
});

const port = Number(process.env.PORT ?? 3000);
// Like the services: reachable from this machine only unless deployed for real (DEPLOYMENT, as in
// packages/platform/src/config.ts), where the services refuse the public default secrets.
const production = process.env.DEPLOYMENT === "production" || (!process.env.DEPLOYMENT && process.env.NODE_ENV === "production");
await app.listen({ host: process.env.HOST ?? (production ? "0.0.0.0" : "127.0.0.1"), port });
console.log(`admin portal on http://localhost:${port}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
