import type { OperatorRole } from "@spgroup/contracts";
import { loadPlatformConfig } from "./config.ts";
import { AdminAuth } from "./http/admin-auth.ts";

/**
 * The platform's configuration and an operator token for a command-line tool acting as `subject`
 * with `role` (the least its command needs): ADMIN_TOKEN when set, else one minted from this
 * environment's ADMIN_TOKEN_SECRET, as the services verify it.
 */
export async function commandLineSession(subject: string, role: OperatorRole, env: Record<string, string | undefined> = process.env) {
  const config = loadPlatformConfig("cli", { port: 0, databaseUrlVar: "UNUSED_DATABASE_URL", databaseUrl: "postgres://unused" }, env);
  const token = env.ADMIN_TOKEN ?? (await new AdminAuth(config.admin).issue(subject, role)).token;
  return { config, token };
}
