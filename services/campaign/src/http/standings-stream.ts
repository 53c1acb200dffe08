import type { ServerResponse } from "node:http";
import { Type } from "@sinclair/typebox";
import { type HttpApp, listenToChannel, type Logger, type Pool } from "@spgroup/platform";
import { campaignView, currentIphoneCampaign, type FinalitySources, standingsOf } from "../app/read-standings.ts";
import { STANDINGS_CHANNEL } from "../db/standings.ts";

/**
 * Pushes the current campaign and its standings to every connected portal as server-sent events
 * whenever any instance commits a change (PostgreSQL NOTIFY), coalescing bursts of changes.
 */
export class StandingsStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #pool: Pool;
  readonly #sources: FinalitySources;
  readonly #logger: Logger;
  #last = "";
  #scheduled: NodeJS.Timeout | undefined;
  #stopListening: (() => Promise<void>) | undefined;
  #tick: NodeJS.Timeout | undefined;

  constructor(pool: Pool, sources: FinalitySources, logger: Logger) {
    this.#pool = pool;
    this.#sources = sources;
    this.#logger = logger;
  }

  start(databaseUrl: string, coalesceMs = 50): void {
    this.#stopListening = listenToChannel(databaseUrl, STANDINGS_CHANNEL, () => this.#schedule(coalesceMs), this.#logger);
    // Status moves with the clock (ACTIVE → CLOSING) without any write; heartbeats keep proxies open.
    this.#tick = setInterval(() => {
      this.#schedule(0);
      for (const client of this.#clients) client.write(": heartbeat\n\n");
    }, 5_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#tick);
    clearTimeout(this.#scheduled);
    for (const client of this.#clients) client.end();
    await this.#stopListening?.();
  }

  get clients(): number {
    return this.#clients.size;
  }

  #schedule(delay: number): void {
    if (this.#scheduled) return;
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      void this.#publish();
    }, delay);
  }

  async #snapshot(): Promise<string | undefined> {
    const campaign = await currentIphoneCampaign(this.#pool);
    if (!campaign) return undefined;
    const standings = await standingsOf(this.#pool, campaign);
    return JSON.stringify({ campaign: await campaignView(this.#pool, this.#sources, campaign, standings), standings });
  }

  async #publish(): Promise<void> {
    if (this.#clients.size === 0) return;
    try {
      const snapshot = await this.#snapshot();
      if (!snapshot || snapshot === this.#last) return;
      this.#last = snapshot;
      for (const client of this.#clients) client.write(`event: standings\ndata: ${snapshot}\n\n`);
    } catch (error) {
      this.#logger.error({ err: error }, "could not publish standings");
    }
  }

  register(app: HttpApp): void {
    app.get(
      "/api/admin/v1/campaigns/iphones/stream",
      {
        schema: {
          tags: ["campaign"],
          security: [{ admin: [] }],
          summary: "Server-sent events: the campaign and its standings whenever they change",
          querystring: Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }),
        },
      },
      async (_request, reply) => {
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
        this.#clients.add(raw);
        raw.on("close", () => this.#clients.delete(raw));
        const snapshot = await this.#snapshot().catch(() => undefined);
        raw.write(`retry: 2000\nevent: standings\ndata: ${snapshot ?? "null"}\n\n`);
      },
    );
  }
}
