import type { Audit, Campaign, EngineAudit, EngineStandingsView, Standings } from "@spgroup/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import { currentSession } from "../../api/session.ts";

export const CAMPAIGN_KEY = ["campaign"] as const;
export const STANDINGS_KEY = ["campaign", "standings"] as const;

/** The current campaign, or null before the first one is created; refreshed every `refetchMs` when given. */
export function useCampaign(refetchMs?: number) {
  return useQuery({
    queryKey: CAMPAIGN_KEY,
    ...(refetchMs ? { refetchInterval: refetchMs } : {}),
    queryFn: async () => {
      try {
        return (await api<{ data: Campaign }>("/api/admin/v1/campaigns/iphones")).data;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useStandings(enabled: boolean) {
  return useQuery({ queryKey: STANDINGS_KEY, enabled, queryFn: async () => (await api<{ data: Standings }>("/api/admin/v1/campaigns/iphones/winners")).data });
}

export function useAudit(enabled: boolean) {
  return useQuery({ queryKey: ["campaign", "audit"], enabled, queryFn: async () => (await api<{ data: Audit }>("/api/admin/v1/campaigns/iphones/audit")).data });
}

/** Apache Flink's latest provisional standings (`npm run flink-standings`), or null; refreshed every 5 s. */
export function useEngineStandings(campaignId: number | undefined) {
  return useQuery({
    queryKey: ["campaign", "engine-standings", campaignId],
    enabled: campaignId !== undefined,
    refetchInterval: 5_000,
    queryFn: async () => (await api<{ data: EngineStandingsView | null }>(`/api/admin/v1/campaigns/iphones/${campaignId}/engine-standings`)).data,
  });
}

/** Audits of a FINAL campaign by the independent engine (`npm run audit`), the latest first. */
export function useEngineAudits(campaignId: number | undefined) {
  return useQuery({
    queryKey: ["campaign", "engine-audits", campaignId],
    enabled: campaignId !== undefined,
    queryFn: async () => (await api<{ data: EngineAudit[] }>(`/api/admin/v1/campaigns/iphones/${campaignId}/engine-audits`)).data,
  });
}

/**
 * Keeps the campaign and its standings live from the service's event stream: each event replaces
 * the cached queries, so every view updates without a reload. Reports whether the stream is up.
 */
export function useLiveStandings(): boolean {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    const token = currentSession()?.token;
    if (!token) return;
    const source = new EventSource(`/api/admin/v1/campaigns/iphones/stream?access_token=${encodeURIComponent(token)}`);
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("error", () => setLive(false));
    source.addEventListener("standings", (event) => {
      const snapshot = JSON.parse((event as MessageEvent<string>).data) as { campaign: Campaign; standings: Standings } | null;
      if (!snapshot) return;
      client.setQueryData(CAMPAIGN_KEY, snapshot.campaign);
      client.setQueryData(STANDINGS_KEY, snapshot.standings);
      void client.invalidateQueries({ queryKey: ["campaign", "audit"] });
    });
    return () => source.close();
  }, [client]);
  return live;
}
