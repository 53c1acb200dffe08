import { DomainError, type FinalityHole } from "@spgroup/contracts";
import { type OperatorIdentity, type Pool, recordActivity, withTransaction } from "@spgroup/platform";
import { resolveFinalityHole } from "../db/finality-holes.ts";

/**
 * An operator declares that a dead-lettered message can change no campaign (e.g. a duplicate); the
 * reason is recorded with who gave it. Resolving twice keeps the first resolution.
 */
export async function resolveFinalityHoleAs(pool: Pool, id: number, operator: OperatorIdentity, reason: string): Promise<FinalityHole> {
  if (reason.trim().length < 3) throw new DomainError("BLANK_REASON", "reason must say why the message can change no campaign");
  return withTransaction(pool, async (client) => {
    const resolved = await resolveFinalityHole(client, id, operator.name, reason);
    if (!resolved) throw new DomainError("NOT_FOUND", `finality hole ${id} not found`);
    const { now, ...hole } = resolved;
    // Resolved already (by someone else, or a replay): nothing changed, nothing to record.
    if (now) await recordActivity(client, { actor: operator, action: "finality-hole.resolve", target: `finality hole ${id}`, before: null, after: { resolved_by: hole.resolved_by, resolution: hole.resolution } });
    return hole;
  });
}
