import type { Campaign, FinalityWait } from "@spgroup/contracts";
import { Link } from "react-router";
import { formatInstant } from "../../lib/format.ts";

// One line per reason the service gives; typed against the list so a new reason cannot go unshown.
export const WAIT_TEXT = {
  WINDOW_OPEN: "The sale window is still open.",
  WATERMARKS: "Waiting for every order created in the window to settle (watermarks from the order service).",
  FINALITY_HOLES: "Blocked: an order event could not be processed. Replay it (Dead letters page, or npm run dead-letters -- replay) or resolve it explicitly.",
  HISTORY: "Blocked: the campaign database does not hold every completed order since the window's start (a partition not read yet, or read from a later offset).",
} satisfies Record<FinalityWait, string>;

/** Why a campaign that is not FINAL yet is waiting, as the finaliser itself judges it. */
export function FinalityStatus({ campaign }: { campaign: Campaign }) {
  const { finality } = campaign;
  if (campaign.status === "FINAL" || campaign.status === "SCHEDULED" || finality.waiting_for.length === 0) return null;
  // While the window is open only the blocking reasons are news; watermarks lag by design.
  const shown = finality.waiting_for.filter((w) => campaign.status === "CLOSING" || w === "FINALITY_HOLES");
  if (shown.length === 0) return null;
  return (
    <div className={`mt-3 rounded border p-3 text-sm ${finality.holes.length > 0 ? "border-red-300 bg-red-50 text-red-900" : "border-slate-200 bg-slate-50 text-slate-700"}`} data-testid="finality-status">
      <p className="font-medium">
        Winners are not final yet:{" "}
        <Link to="/finality" className="font-normal text-indigo-700 underline">
          why, per partition →
        </Link>
      </p>
      <ul className="list-disc pl-5">
        {shown.map((wait) => (
          <li key={wait}>
            {WAIT_TEXT[wait]}
            {wait === "WATERMARKS" && ` ${finality.watermarks.past_end} of ${finality.watermarks.required} partitions past the end`}
            {wait === "WATERMARKS" &&
              (finality.watermarks.behind.length > 0
                ? `; waiting for ${finality.watermarks.behind.map((b) => `${b.source} (partitions ${b.partitions.join(", ")})`).join("; ")}.`
                : ".")}
          </li>
        ))}
      </ul>
      {finality.holes.length > 0 && (
        <ul className="mt-2 space-y-1 font-mono text-xs">
          {finality.holes.map((hole) => (
            <li key={hole.id}>
              #{hole.id} {hole.reason} {hole.topic}[{hole.partition}]@{hole.offset} order {hole.order_id ?? "unknown"} created{" "}
              {hole.order_created_at ? formatInstant(hole.order_created_at) : "at an unknown time (blocks every campaign)"}: {hole.errors[0] ?? ""}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
