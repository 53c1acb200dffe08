// What the auditor's commands share: `--name=value` options, and the platform's configuration with
// an operator token of the least role a command needs (ADMIN_TOKEN, or minted from ADMIN_TOKEN_SECRET).
import type { OperatorRole } from "@spgroup/contracts";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";

export function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export async function cliSession(subject: string, role: OperatorRole) {
  const config = loadPlatformConfig("auditor", { port: 0, databaseUrlVar: "UNUSED_DATABASE_URL", databaseUrl: "postgres://unused" });
  const token = process.env.ADMIN_TOKEN ?? (await new AdminAuth(config.admin).issue(subject, role)).token;
  return { config, token };
}
