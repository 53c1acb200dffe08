import { OPERATOR_ROLES, type Operator, type OperatorRole } from "@spgroup/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import { ErrorState, Loading } from "../components/States.tsx";
import { formatInstant } from "../lib/format.ts";

const KEY = ["operators"] as const;

/** Operators and their roles (admins only): create, change a role, disable or enable. */
export function OperatorsPage() {
  const client = useQueryClient();
  const operators = useQuery({ queryKey: KEY, queryFn: async () => (await api<{ data: Operator[] }>("/api/admin/v1/operators")).data });
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<OperatorRole>("viewer");
  const create = useMutation({
    mutationFn: () => api("/api/admin/v1/operators", { method: "POST", body: JSON.stringify({ username, password, role }) }),
    onSuccess: () => {
      setUsername("");
      setPassword("");
      void client.invalidateQueries({ queryKey: KEY });
    },
  });
  const change = useMutation({
    mutationFn: ({ name, body }: { name: string; body: { role?: OperatorRole; disabled?: boolean } }) =>
      api(`/api/admin/v1/operators/${encodeURIComponent(name)}`, { method: "PUT", body: JSON.stringify(body) }),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h1 className="text-lg font-semibold">Operators</h1>
        <p className="mt-1 text-sm text-slate-600">A viewer reads everything; an operator also changes the sale (campaign, closing the window, finality holes, audits); an admin also manages operators.</p>
        <form onSubmit={submit} className="mt-4 flex flex-wrap items-end gap-3" aria-label="New operator">
          <label className="text-sm">
            Username
            <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1" required />
          </label>
          <label className="text-sm">
            Password (12+ characters)
            <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} className="mt-1 block rounded border border-slate-300 px-2 py-1" required minLength={12} />
          </label>
          <label className="text-sm">
            Role
            <select name="role" value={role} onChange={(e) => setRole(e.target.value as OperatorRole)} className="mt-1 block rounded border border-slate-300 px-2 py-1">
              {OPERATOR_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={create.isPending} className="rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
            Create operator
          </button>
          {create.isError && <p className="w-full text-sm text-red-700">{create.error.message}</p>}
        </form>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
        {operators.isPending ? (
          <Loading />
        ) : operators.isError ? (
          <ErrorState error={operators.error} />
        ) : (
          <table className="w-full text-left text-sm" data-testid="operators">
            <thead className="bg-slate-50 text-xs text-slate-500">
              <tr>
                <th className="px-3 py-2">Username</th>
                <th>Role</th>
                <th>State</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {operators.data.map((o) => (
                <tr key={o.username} className="border-t border-slate-100">
                  <td className="px-3 py-2 font-mono">{o.username}</td>
                  <td>
                    <select
                      aria-label={`Role of ${o.username}`}
                      value={o.role}
                      onChange={(e) => change.mutate({ name: o.username, body: { role: e.target.value as OperatorRole } })}
                      className="rounded border border-slate-300 px-1 py-0.5"
                    >
                      {OPERATOR_ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{o.disabled ? <span className="text-red-700">disabled</span> : "active"}</td>
                  <td>{formatInstant(o.created_at)}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => change.mutate({ name: o.username, body: { disabled: !o.disabled } })}
                      className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100"
                    >
                      {o.disabled ? "Enable" : "Disable"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {change.isError && <p className="p-3 text-sm text-red-700">{change.error.message}</p>}
      </section>
    </div>
  );
}
