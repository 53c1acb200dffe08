import type { Campaign } from "@spgroup/contracts";
import { useEffect, useState } from "react";

function remaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h ` : ""}${m}m ${s % 60}s`;
}

export function Countdown({ campaign }: { campaign: Campaign }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (campaign.status === "FINAL") return <span>Winners are final.</span>;
  if (campaign.status === "CLOSING") return <span>Window closed; waiting for the last orders to settle.</span>;
  if (campaign.status === "SCHEDULED") return <span>Starts in {remaining(Date.parse(campaign.start_time) - now)}</span>;
  return <span data-testid="countdown">Ends in {remaining(Date.parse(campaign.end_time) - now)}</span>;
}
