// Which service answers which API path: one table for the portal server (server/serve.ts) and the
// Vite dev server (vite.config.ts), so the two cannot route differently. No Node imports: the
// browser-side tsconfig checks this file too, through vite.config.ts.

export const PORTAL_SERVICES = ["order", "payment", "campaign"] as const;
export type PortalService = (typeof PORTAL_SERVICES)[number];

/** Where each service listens locally (`npm start`), and the variable that overrides it. */
export const UPSTREAMS = {
  order: { env: "ORDER_SERVICE_URL", url: "http://127.0.0.1:8080" },
  payment: { env: "PAYMENT_SERVICE_URL", url: "http://127.0.0.1:8081" },
  campaign: { env: "CAMPAIGN_SERVICE_URL", url: "http://127.0.0.1:8082" },
} as const satisfies Record<PortalService, { env: string; url: string }>;

export const API_ROUTES: readonly { prefix: string; service: PortalService }[] = [
  { prefix: "/api/v1/orders", service: "order" },
  { prefix: "/api/admin/v1/orders", service: "order" },
  { prefix: "/api/admin/v1/auth", service: "order" },
  { prefix: "/api/admin/v1/ops", service: "order" },
  { prefix: "/api/admin/v1/operators", service: "order" },
  { prefix: "/api/admin/v1/payments", service: "payment" },
  { prefix: "/api/admin/v1/campaigns", service: "campaign" },
];

/** Each service's base URL: the environment's when set, else the local default. */
export function upstreamUrls(env: Record<string, string | undefined>): Record<PortalService, string> {
  return Object.fromEntries(PORTAL_SERVICES.map((service) => [service, env[UPSTREAMS[service].env] || UPSTREAMS[service].url])) as Record<PortalService, string>;
}
