import { join } from "node:path";
import { buildPortal, portalEnv, ROOT, spawnService } from "@spgroup/infra";
import type { SharedInfra } from "@spgroup/infra/testing";
import { getPort } from "../../../e2e/support/ports.ts";
import { startProcessStack } from "../../../e2e/support/stack.ts";

/** The whole platform as processes (order, payment, campaign, portal) on isolated databases and topics. */
export async function startPortalStack(infra: SharedInfra) {
  await buildPortal();
  // Every payment approved except DECLINE-* customers, so what the browser must show is certain.
  const stack = await startProcessStack(infra, { PAYMENT_LATENCY_MS: "2", PAYMENT_APPROVAL_RATIO: "1" });
  const campaign = await stack.spawn("campaign");
  const port = await getPort();
  const portal = await spawnService("portal", { ...portalEnv({ order: stack.order.port, payment: stack.payment.port, campaign: campaign.port }), PORT: String(port), HOST: "127.0.0.1" }, join(ROOT, ".data", "test", "logs", stack.suffix, "portal.log"));
  return {
    ...stack,
    campaign,
    portalUrl: portal.url,
    async stop() {
      await portal.stop();
      await stack.stop();
    },
  };
}
