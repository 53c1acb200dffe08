import { NavLink, Outlet, useNavigate } from "react-router";
import { currentSession, endSession, may } from "../api/session.ts";

const LINKS = [
  ["/", "Dashboard"],
  ["/orders", "Orders"],
  ["/payments", "Payments"],
  ["/customer", "Customer"],
  ["/campaign", "Campaign"],
  ["/finality", "Why not FINAL"],
  ["/history", "History"],
  ["/money-at-risk", "Money at risk"],
  ["/dead-letters", "Dead letters"],
  ["/activity", "Activity"],
] as const;
/** An instance's hosts and brokers are for operators. */
const OPERATOR_LINKS = [["/system", "System"]] as const;
/** Only admins manage operators. */
const ADMIN_LINKS = [["/operators", "Operators"]] as const;

export function Layout() {
  const navigate = useNavigate();
  const session = currentSession();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="font-bold text-indigo-700">SPgroup Hot Sale</span>
          <nav className="flex flex-wrap gap-1" aria-label="Main">
            {[...LINKS, ...(may("operator") ? OPERATOR_LINKS : []), ...(may("admin") ? ADMIN_LINKS : [])].map(([to, label]) => (
              <NavLink
                key={to}
                to={to}
                end={to === "/"}
                className={({ isActive }) => `rounded px-3 py-1.5 text-sm font-medium ${isActive ? "bg-indigo-100 text-indigo-800" : "text-slate-600 hover:bg-slate-100"}`}
              >
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-500" data-testid="signed-in-as">
              {session?.username} · {session?.role ?? "admin"}
            </span>
            <button
              type="button"
              className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100"
              onClick={() => {
                endSession();
                navigate("/login");
              }}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
