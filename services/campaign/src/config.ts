import { loadPlatformConfig, readEnv } from "@spgroup/platform";

export function loadCampaignConfig(env: Record<string, string | undefined> = process.env) {
  const e = readEnv(env);
  return {
    ...loadPlatformConfig("campaign", { port: 8082, databaseUrlVar: "CAMPAIGN_DATABASE_URL", databaseUrl: "postgres://postgres:postgres@127.0.0.1:15432/campaign_db" }, env),
    /** The order databases (shards) whose watermarks must all pass a campaign's end. */
    watermarkSources: e.string("CAMPAIGN_WATERMARK_SOURCES", "order_db").split(",").map((s) => s.trim()),
    finalizeIntervalMs: e.int("CAMPAIGN_FINALIZE_INTERVAL_MS", 250, { min: 10 }),
  };
}
export type CampaignConfig = ReturnType<typeof loadCampaignConfig>;
