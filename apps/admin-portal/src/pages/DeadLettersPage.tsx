import type { DeadLetterList, DeadLetterView } from "@spgroup/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/client.ts";
import { may } from "../api/session.ts";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { formatInstant } from "../lib/format.ts";

const KEY = ["dead-letters"] as const;
const placeOf = (l: DeadLetterView) => `${encodeURIComponent(l.dead_letter_topic)}/${l.dead_letter_partition}/${l.dead_letter_offset}`;

/** The original message, pretty-printed when it is JSON. */
function Payload({ value }: { value: string }) {
  let text = value;
  try {
    text = JSON.stringify(JSON.parse(value), null, 2);
  } catch {}
  return <pre className="mt-2 max-h-72 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{text}</pre>;
}

/**
 * Messages a consumer could not apply, per topic: inspect the payload and the error, replay one to
 * its original topic once the cause is fixed (the consumers' inbox applies it at most once), or
 * discard it with a reason. Both are recorded in the activity log.
 */
export function DeadLettersPage() {
  const client = useQueryClient();
  const [topic, setTopic] = useState("");
  const [state, setState] = useState("waiting");
  const [open, setOpen] = useState<string | undefined>();
  const letters = useQuery({
    queryKey: [...KEY, topic, state],
    refetchInterval: 10_000,
    queryFn: async () => (await api<{ data: DeadLetterList }>(`/api/admin/v1/ops/dead-letters?state=${state}${topic ? `&topic=${encodeURIComponent(topic)}` : ""}`)).data,
  });
  const act = useMutation({
    mutationFn: ({ letter, action, reason }: { letter: DeadLetterView; action: "replay" | "discard"; reason?: string }) =>
      api(`/api/admin/v1/ops/dead-letters/${placeOf(letter)}/${action}`, { method: "POST", ...(reason ? { body: JSON.stringify({ reason }) } : {}) }),
    onSettled: () => client.invalidateQueries({ queryKey: KEY }),
  });
  const canAct = may("operator");

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Dead letters</h1>
        <p className="mt-1 text-sm text-slate-600">
          A message a service could not apply (unreadable, or its handler kept failing) is set aside on its topic's .dlq so the messages behind it go on. One on
          orders.completed holds the campaign's FINAL until it is replayed (and applied) or its hole resolved with a reason on the Why not FINAL page; discarding it here
          does not resolve the hole. The same as <code>npm run dead-letters</code>, which replays through this service too.
        </p>
        <div className="mt-3 flex flex-wrap items-end gap-3">
          <label className="text-sm">
            Topic
            <select value={topic} onChange={(e) => setTopic(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1">
              <option value="">every topic</option>
              {letters.data?.topics.map((t) => (
                <option key={t.dead_letter_topic} value={t.dead_letter_topic}>
                  {t.dead_letter_topic}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            State
            <select value={state} onChange={(e) => setState(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1">
              {["waiting", "replayed", "discarded", "all"].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </div>
        {letters.data && (
          <ul className="mt-3 flex flex-wrap gap-2 text-xs" data-testid="dead-letter-topics">
            {letters.data.topics
              .filter((t) => t.count > 0)
              .map((t) => (
                <li key={t.dead_letter_topic} className={`rounded-full px-2 py-0.5 ${t.waiting > 0 ? "bg-red-100 text-red-800" : "bg-slate-100 text-slate-700"}`}>
                  {t.dead_letter_topic}: {t.waiting} waiting of {t.count}
                </li>
              ))}
          </ul>
        )}
        {letters.data && !letters.data.complete && <p className="mt-2 text-sm text-amber-700">Kafka did not deliver every dead letter in time: the list may be short; it refreshes.</p>}
        {letters.data?.truncated && <p className="mt-2 text-sm text-amber-700">A topic holds more dead letters than are listed (the newest 1,000 per topic are).</p>}
        {act.isError && <p className="mt-2 text-sm text-red-700">Not done: {act.error.message}</p>}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
        {letters.isPending ? (
          <Loading label="Reading the dead-letter topics…" />
        ) : letters.isError ? (
          <ErrorState error={letters.error} onRetry={() => letters.refetch()} />
        ) : letters.data.letters.length === 0 ? (
          <Empty>No dead letters {state === "all" ? "" : state}.</Empty>
        ) : (
          <table className="w-full text-left text-sm" data-testid="dead-letters">
            <thead className="bg-slate-50 text-xs text-slate-500">
              <tr>
                <th className="px-3 py-2">When</th>
                <th>Original</th>
                <th>Key</th>
                <th>Why</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {letters.data.letters.map((l) => {
                const id = placeOf(l);
                return (
                  <tr key={id} className="border-t border-slate-100 align-top" data-testid="dead-letter">
                    <td className="px-3 py-2 whitespace-nowrap">{formatInstant(l.dead_lettered_at)}</td>
                    <td className="font-mono text-xs">
                      {l.topic}[{l.partition}]@{l.offset}
                    </td>
                    <td className="font-mono text-xs">{l.key}</td>
                    <td className="max-w-md text-xs">
                      <span className="font-semibold">{l.reason}</span>: {l.errors.join("; ")}
                      <button type="button" className="ml-2 text-indigo-700 underline" onClick={() => setOpen(open === id ? undefined : id)}>
                        {open === id ? "hide" : "payload"}
                      </button>
                      {open === id && <Payload value={l.value} />}
                    </td>
                    <td className="text-xs" data-testid="dead-letter-state">
                      {l.state}
                      {l.acted_by ? ` by ${l.acted_by} ${formatInstant(l.acted_at)}` : ""}
                      {l.note ? ` (${l.note})` : ""}
                    </td>
                    <td className="space-x-1 pr-3 whitespace-nowrap">
                      {canAct && l.state === "waiting" && (
                        <>
                          <button
                            type="button"
                            disabled={act.isPending}
                            onClick={() => act.mutate({ letter: l, action: "replay" })}
                            className="rounded bg-indigo-600 px-2 py-1 text-xs font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
                          >
                            Replay
                          </button>
                          <button
                            type="button"
                            disabled={act.isPending}
                            onClick={() => {
                              const reason = window.prompt("Why can this message be dropped? (kept with it)");
                              if (reason && reason.trim().length >= 3) act.mutate({ letter: l, action: "discard", reason: reason.trim() });
                            }}
                            className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100"
                          >
                            Discard
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
