import { join } from "node:path";
import { buildPortal, portalEnv, ROOT, spawnService } from "@spgroup/infra";
import { type SharedInfra, TEST_LOG_FILES } from "@spgroup/infra/testing";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import { getPort } from "../../../e2e/support/ports.ts";
import { startProcessStack } from "../../../e2e/support/stack.ts";

/** The whole platform as processes (order, payment, campaign, portal) on isolated databases and topics. */
export async function startPortalStack(infra: SharedInfra) {
  await buildPortal();
  // Every payment approved except DECLINE-* customers, so what the browser must show is certain.
  // SLOW-* customers' charges take 15 s (an order that holds the campaign's FINAL while the
  // browser looks); refunds are not made by the scheduled pass within the test (it runs at start,
  // then hourly), so a late payment waits under Money at risk for the operator's "Refund now".
  const stack = await startProcessStack(infra, {
    PAYMENT_LATENCY_MS: "2",
    PAYMENT_APPROVAL_RATIO: "1",
    PAYMENT_SLOW_LATENCY_MS: "15000",
    PAYMENT_REFUND_PASS_INTERVAL_MS: "3600000",
  });
  const campaign = await stack.spawn("campaign");
  const port = await getPort();
  const portalLog = join(ROOT, ".data", "test", "logs", stack.suffix, "portal.log");
  TEST_LOG_FILES.add(portalLog);
  const portal = await spawnService("portal", { ...portalEnv({ order: stack.order.port, payment: stack.payment.port, campaign: campaign.port }), PORT: String(port), HOST: "127.0.0.1" }, portalLog);
  const auth = new AdminAuth(loadPlatformConfig("portal-e2e", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" }, stack.env).admin);
  return {
    ...stack,
    campaign,
    /** An operator's Authorization header, for calls the test makes beside the browser. */
    adminHeaders: { authorization: `Bearer ${(await auth.issue("portal-e2e")).token}` },
    portalUrl: portal.url,
    async stop() {
      await portal.stop();
      await stack.stop();
    },
  };
}
