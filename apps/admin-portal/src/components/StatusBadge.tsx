const TONES: Record<string, string> = {
  SUCCESS: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
  REFUNDED: "bg-violet-100 text-violet-800",
  REFUND_REQUESTED: "bg-orange-100 text-orange-800",
  PROCESSING: "bg-amber-100 text-amber-800",
  PENDING: "bg-slate-200 text-slate-700",
  SCHEDULED: "bg-sky-100 text-sky-800",
  ACTIVE: "bg-emerald-100 text-emerald-800",
  CLOSING: "bg-amber-100 text-amber-800",
  FINAL: "bg-indigo-100 text-indigo-800",
  PROVISIONAL: "bg-amber-100 text-amber-800",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${TONES[status] ?? "bg-slate-100 text-slate-700"}`}>{status}</span>;
}
