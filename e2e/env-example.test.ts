import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "@spgroup/infra";
import { configVariables, loadPlatformConfig } from "@spgroup/platform";
import { describe, expect, it } from "vitest";
import { documentedMeanings, envExample } from "./support/env-example.ts";

describe(".env.example", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("documents every variable the services read, in the README's configuration table", () => {
    expect(envExample(readme).undocumented).toEqual([]);
  });

  it("is what `npm run env-example` generates from the config loaders today", () => {
    expect(readFileSync(join(ROOT, ".env.example"), "utf8")).toBe(envExample(readme).text);
  });

  it("finds a variable and its default by running the loader, and notices one the README lacks", () => {
    const variables = configVariables((env) => loadPlatformConfig("probe", { port: 1234, databaseUrlVar: "PROBE_DATABASE_URL", databaseUrl: "postgres://probe" }, env));
    expect(variables.find((v) => v.name === "PORT")?.default).toBe("1234");
    expect(variables.find((v) => v.name === "ADMIN_TOKEN_SECRET")?.secret).toBe(true);
    expect(documentedMeanings(readme).has("PROBE_DATABASE_URL")).toBe(false);
    expect(documentedMeanings(readme).get("LOG_LEVEL")).toBe("pino JSON logs");
  });
});
