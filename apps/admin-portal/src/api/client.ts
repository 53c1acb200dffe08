import { currentSession, endSession } from "./session.ts";

/** An API answer other than 2xx, with the server's {error, code} message. */
export class ApiError extends Error {
  readonly status: number;
  readonly details: string[];
  constructor(status: number, message: string, details: string[] = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/** Query string from the non-empty values only. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** A download link that carries the operator token (exports cannot send headers). */
export function authorizedLink(path: string, params: Record<string, string | number | undefined | null>): string {
  return withQuery(path, { ...params, access_token: currentSession()?.token });
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const session = currentSession();
  const headers = new Headers(init.headers);
  if (session) headers.set("authorization", `Bearer ${session.token}`);
  if (init.body) headers.set("content-type", "application/json");
  const response = await fetch(path, { ...init, headers });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : undefined;
  if (response.status === 401 && !path.endsWith("/auth/login")) {
    endSession();
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!response.ok) throw new ApiError(response.status, body?.error ?? `request failed (${response.status})`, body?.details ?? []);
  return body as T;
}
