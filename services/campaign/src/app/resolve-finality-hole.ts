import { DomainError, type FinalityHole } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";
import { resolveFinalityHole } from "../db/finality-holes.ts";

/**
 * An operator declares that a dead-lettered message can change no campaign (e.g. a duplicate); the
 * reason is recorded with who gave it. Resolving twice keeps the first resolution.
 */
export async function resolveFinalityHoleAs(db: Queryable, id: number, operator: string, reason: string): Promise<FinalityHole> {
  if (reason.trim().length < 3) throw new DomainError("BLANK_REASON", "reason must say why the message can change no campaign");
  const hole = await resolveFinalityHole(db, id, operator, reason);
  if (!hole) throw new DomainError("NOT_FOUND", `finality hole ${id} not found`);
  return hole;
}
