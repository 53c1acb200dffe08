// The operator's session: a bearer token from POST /api/admin/v1/auth/login, kept in
// sessionStorage (gone when the tab closes) and dropped when it expires.
const KEY = "spgroup.admin.session";

import { type OperatorRole, roleAtLeast } from "@spgroup/contracts";

export interface Session {
  token: string;
  expires_at: string;
  username: string;
  role: OperatorRole;
}

/**
 * Whether the signed-in operator may do what `needed` may: the page hides what the server would
 * refuse (403) anyway; the server is what decides.
 */
export function may(needed: OperatorRole): boolean {
  const session = currentSession();
  return session !== null && roleAtLeast(session.role ?? "admin", needed);
}

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (Date.parse(session.expires_at) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function endSession(): void {
  sessionStorage.removeItem(KEY);
}
