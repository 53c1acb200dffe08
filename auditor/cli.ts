// What the auditor's commands share: `--name=value` options, and the platform's configuration with
// an operator token of the least role a command needs (ADMIN_TOKEN, or minted from ADMIN_TOKEN_SECRET).
import type { OperatorRole } from "@spgroup/contracts";
import { commandLineSession } from "@spgroup/platform";

export function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export function cliSession(subject: string, role: OperatorRole) {
  return commandLineSession(subject, role);
}
