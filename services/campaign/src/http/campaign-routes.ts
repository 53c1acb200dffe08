import {
  Audit,
  Campaign,
  CampaignHistoryQuery,
  CampaignId,
  CampaignIdParams,
  CampaignSummary,
  CreateCampaignBody,
  CustomerId,
  Data,
  DomainError,
  EngineAudit,
  EngineAuditBody,
  EngineStandingsView,
  ErrorBody,
  FinalityHole,
  FinalityHoleIdParams,
  ResolveFinalityHoleBody,
  Standings,
  UpdateCampaignBody,
} from "@spgroup/contracts";
import { activityRoutes, type HttpApp, recordActivity, withTransaction } from "@spgroup/platform";
import { Type } from "@sinclair/typebox";
import type { CampaignContext } from "../app/context.ts";
import { closeCampaignWindow, createCampaign, editCampaign } from "../app/manage-campaign.ts";
import { auditCsv, auditOf, campaignView, currentIphoneCampaign, standingsOf } from "../app/read-standings.ts";
import { resolveFinalityHoleAs } from "../app/resolve-finality-hole.ts";
import { campaignHistory, findCampaign, IPHONE_CAMPAIGN } from "../db/campaigns.ts";
import { campaignStatus } from "../domain/campaign-status.ts";
import { engineAuditsOf, insertEngineAudit } from "../db/engine-audits.ts";
import { engineStandingsOf } from "../db/engine-standings.ts";
import { finalWinners } from "../db/winners.ts";
import { compareWithFinal } from "../domain/engine-audit.ts";
import { recentFinalityHoles } from "../db/finality-holes.ts";

const security = [{ admin: [] }];
const tags = ["campaign"];

export function campaignRoutes(app: HttpApp, ctx: CampaignContext): void {
  /** ?campaign_id= names a campaign; absent, the current one. */
  const CampaignQuery = Type.Object({ campaign_id: Type.Optional(CampaignId) }, { additionalProperties: false });
  const { pool } = ctx;
  const current = async () => {
    const campaign = await currentIphoneCampaign(pool);
    if (!campaign) throw new DomainError("NOT_FOUND", "no iPhone campaign yet; create one with POST /api/admin/v1/campaigns/iphones");
    return campaign;
  };

  app.post(
    "/api/admin/v1/campaigns/iphones",
    { schema: { tags, security, summary: "Create the iPhone campaign (409 while another is not FINAL)", body: CreateCampaignBody, response: { 201: Data(Campaign), 400: ErrorBody, 409: ErrorBody } } },
    async (request, reply) => {
      const created = await createCampaign(pool, ctx, request.body, request.operator);
      return reply.code(201).send({ data: await campaignView(pool, ctx, created) });
    },
  );

  app.get(
    "/api/admin/v1/campaigns/iphones",
    {
      schema: {
        tags,
        security,
        summary: "The current iPhone campaign (or campaign_id's), its status and inventory",
        querystring: CampaignQuery,
        response: { 200: Data(Campaign), 404: ErrorBody },
      },
    },
    async (request) => ({ data: await campaignView(pool, ctx, await campaignFor(request.query.campaign_id)) }),
  );

  app.put(
    "/api/admin/v1/campaigns/iphones/:id",
    {
      schema: {
        tags,
        security,
        summary: "Change a campaign (any subset of fields); standings are recomputed at once; 409 once FINAL",
        params: CampaignIdParams,
        body: UpdateCampaignBody,
        response: { 200: Data(Campaign), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => ({ data: await campaignView(pool, ctx, await editCampaign(pool, ctx, request.params.id, request.body, request.operator)) }),
  );

  app.post(
    "/api/admin/v1/campaigns/iphones/:id/close",
    {
      schema: {
        tags,
        security,
        summary: "End an ACTIVE campaign's window now, by the campaign database's clock (409 unless ACTIVE)",
        params: CampaignIdParams,
        response: { 200: Data(Campaign), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => ({ data: await campaignView(pool, ctx, await closeCampaignWindow(pool, request.params.id, request.operator)) }),
  );

  app.get(
    "/api/admin/v1/campaigns/iphones/history",
    {
      schema: {
        tags,
        security,
        summary: "Every iPhone campaign, newest first: window, settings, status, how many FINAL winners, the latest independent audit",
        querystring: CampaignHistoryQuery,
        response: { 200: Data(Type.Array(CampaignSummary)), 400: ErrorBody },
      },
    },
    async (request) => ({
      data: (await campaignHistory(pool, IPHONE_CAMPAIGN, request.query.limit ?? 50)).map(({ now, type: _type, description: _description, created_at: _c, updated_at: _u, ...c }) => ({
        ...c,
        status: campaignStatus(c, now),
      })),
    }),
  );

  app.get(
    "/api/admin/v1/campaigns/finality-holes",
    {
      schema: {
        tags,
        security,
        summary: "Dead-lettered orders.completed messages: each unresolved one holds FINAL back for every window its order could fall in",
        response: { 200: Data(Type.Array(FinalityHole)) },
      },
    },
    async () => ({ data: await recentFinalityHoles(pool, 200) }),
  );

  app.post(
    "/api/admin/v1/campaigns/finality-holes/:id/resolve",
    {
      schema: {
        tags,
        security,
        summary: "Declare that a dead-lettered message can change no campaign (e.g. a duplicate), with the reason; recorded with the operator",
        params: FinalityHoleIdParams,
        body: ResolveFinalityHoleBody,
        response: { 200: Data(FinalityHole), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      // The onRequest hook has verified the token and the role; this is whose it is, for the record.
      const operator = request.operator ?? { name: "unknown operator", role: "operator" as const };
      const hole = await resolveFinalityHoleAs(pool, request.params.id, operator, request.body.reason);
      request.log.warn({ hole: hole.id, operator: operator.name, reason: request.body.reason, resolved_by: hole.resolved_by }, "finality hole resolved by an operator");
      return { data: hole };
    },
  );

  const AuditQuery = Type.Object(
    {
      campaign_id: Type.Optional(CampaignId),
      // Only this customer's row (ranked among every tracked customer): her standing.
      customer_id: Type.Optional(CustomerId),
      access_token: Type.Optional(Type.String({ maxLength: 4096 })),
    },
    { additionalProperties: false },
  );
  /** The campaign asked for by id, or the current one. */
  const campaignFor = async (campaignId: number | undefined) => {
    const campaign = campaignId ? await findCampaign(pool, campaignId) : await current();
    if (!campaign) throw new DomainError("NOT_FOUND", `campaign ${campaignId} not found`);
    return campaign;
  };
  const auditFor = async (campaignId: number | undefined, customerId?: string) => {
    const audit = await auditOf(pool, await campaignFor(campaignId));
    return customerId === undefined ? audit : { ...audit, tracked: audit.tracked.filter((row) => row.customer_id === customerId) };
  };

  app.get(
    "/api/admin/v1/campaigns/iphones/winners",
    {
      schema: {
        tags,
        security,
        summary: "Winners (of the current campaign, or campaign_id's): PROVISIONAL while orders may still count, FINAL once fixed",
        querystring: CampaignQuery,
        response: { 200: Data(Standings), 404: ErrorBody },
      },
    },
    async (request) => ({ data: await standingsOf(pool, await campaignFor(request.query.campaign_id)) }),
  );

  app.post(
    "/api/admin/v1/campaigns/iphones/:id/engine-audits",
    {
      // Up to 100,000 winners of a very large campaign (the default body limit is 16 KiB).
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        security,
        summary: "Record an independent engine's winners for a FINAL campaign (npm run audit); the service compares them with its FINAL list and keeps the verdict",
        params: CampaignIdParams,
        body: EngineAuditBody,
        response: { 201: Data(EngineAudit), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const campaign = await campaignFor(request.params.id);
      if (!campaign.finalized_at) throw new DomainError("CAMPAIGN_NOT_FINAL", `campaign ${campaign.id} is not FINAL: an audit compares a FINAL list`);
      // The onRequest hook has verified the token and the role; this is whose it is, for the record.
      const operator = request.operator ?? { name: "unknown operator", role: "operator" as const };
      // The verdict is this service's comparison, never the caller's word.
      const differences = compareWithFinal(await finalWinners(pool, campaign.id), request.body.winners);
      const audit = await withTransaction(pool, async (client) => {
        const stored = await insertEngineAudit(client, campaign.id, request.body, { equal: differences.length === 0, differences }, operator.name);
        await recordActivity(client, { actor: operator, action: "campaign.engine-audit", target: `campaign ${campaign.id}`, before: null, after: { engine: stored.engine, equal: stored.equal, differences: stored.differences.length } });
        return stored;
      });
      request.log[audit.equal ? "info" : "error"]({ campaign: campaign.id, engine: audit.engine, equal: audit.equal, differences: audit.differences.length }, "engine audit recorded");
      return reply.code(201).send({ data: audit });
    },
  );

  app.get(
    "/api/admin/v1/campaigns/iphones/:id/engine-standings",
    {
      schema: {
        tags,
        security,
        summary: "Apache Flink's latest provisional standings of the campaign (the one-minute micro-batch), or null",
        params: CampaignIdParams,
        response: { 200: Data(Type.Union([EngineStandingsView, Type.Null()])), 404: ErrorBody },
      },
    },
    async (request) => ({ data: await engineStandingsOf(pool, (await campaignFor(request.params.id)).id) }),
  );

  app.get(
    "/api/admin/v1/campaigns/iphones/:id/engine-audits",
    {
      schema: {
        tags,
        security,
        summary: "A campaign's audits by an independent engine, the latest first",
        params: CampaignIdParams,
        response: { 200: Data(Type.Array(EngineAudit)), 404: ErrorBody },
      },
    },
    async (request) => ({ data: await engineAuditsOf(pool, (await campaignFor(request.params.id)).id) }),
  );

  app.get(
    "/api/admin/v1/campaigns/iphones/audit",
    {
      schema: {
        tags,
        security,
        summary: "Every tracked customer in rank order and why they did or did not win",
        querystring: AuditQuery,
        response: { 200: Data(Audit), 404: ErrorBody },
      },
    },
    async (request) => ({ data: await auditFor(request.query.campaign_id, request.query.customer_id) }),
  );

  app.get(
    "/api/admin/v1/campaigns/iphones/audit.csv",
    { schema: { tags, security, summary: "The audit as CSV", querystring: AuditQuery } },
    async (request, reply) => {
      const audit = await auditFor(request.query.campaign_id, request.query.customer_id);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="campaign-${audit.campaign_id}-audit.csv"`)
        .send(auditCsv(audit));
    },
  );

  activityRoutes(app, pool, "/api/admin/v1/campaigns/activity");
}
