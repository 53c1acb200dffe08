// In the operator's own time zone, like the date inputs of the filters.
const dateTime = new Intl.DateTimeFormat("en-SG", { dateStyle: "medium", timeStyle: "medium" });

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return "—";
  return dateTime.format(new Date(iso));
}

/** Microsecond precision matters for the campaign ranking: show it where order decides. */
export function formatPreciseInstant(iso: string): string {
  const micros = /\.(\d{6})/.exec(iso)?.[1] ?? "000000";
  return `${formatInstant(iso)} .${micros}`;
}

export function formatSgd(amount: string): string {
  return `SGD ${Number(amount).toLocaleString("en-SG", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A value for <input type="datetime-local"> from an ISO instant, in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}
