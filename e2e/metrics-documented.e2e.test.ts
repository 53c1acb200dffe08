import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "@spgroup/infra";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

/** Metric families a /metrics page declares (`# TYPE name kind`). */
const families = (page: string) => [...page.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1] as string);

describe("metrics", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;
  let campaignUrl: string;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"));
    campaignUrl = (await stack.spawn("campaign")).url;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("are ours under one prefix, the Kafka client's and Node's, and every one of them is documented in docs/metrics.md", async () => {
    const documented = readFileSync(join(ROOT, "docs", "metrics.md"), "utf8");
    for (const url of [stack.order.url, stack.payment.url, campaignUrl]) {
      // One request first, so the request histogram has a series.
      await fetch(`${url}/health`);
      const names = families(await (await fetch(`${url}/metrics`)).text());
      expect(names.length).toBeGreaterThan(10);
      for (const name of names) {
        // Node's default process and runtime metrics are documented as a group.
        if (/^(process|nodejs)_/.test(name)) continue;
        expect(name, `${url}: ${name}`).toMatch(/^(spgroup|kafka)_/);
        expect(documented, `${name} is not in docs/metrics.md`).toContain(`\`${name}\``);
      }
    }
  });
});
