import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { currentSession } from "./api/session.ts";
import { Layout } from "./components/Layout.tsx";
import { CampaignPage } from "./pages/CampaignPage.tsx";
import { DashboardPage } from "./pages/DashboardPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { OrdersPage } from "./pages/OrdersPage.tsx";
import { PaymentsPage } from "./pages/PaymentsPage.tsx";
import { OperatorsPage } from "./pages/OperatorsPage.tsx";
import { ActivityPage } from "./pages/ActivityPage.tsx";
import { DeadLettersPage } from "./pages/DeadLettersPage.tsx";
import { FinalityPage } from "./pages/FinalityPage.tsx";
import { HistoryPage } from "./pages/HistoryPage.tsx";
import { CustomerPage } from "./pages/CustomerPage.tsx";
import { SystemPage } from "./pages/SystemPage.tsx";
import { MoneyAtRiskPage } from "./pages/MoneyAtRiskPage.tsx";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 2_000 } } });

function RequireSession({ children }: { children: React.ReactNode }) {
  const location = useLocation();
  if (!currentSession()) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return children;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route
            element={
              <RequireSession>
                <Layout />
              </RequireSession>
            }
          >
            <Route index element={<DashboardPage />} />
            <Route path="orders" element={<OrdersPage />} />
            <Route path="payments" element={<PaymentsPage />} />
            <Route path="campaign" element={<CampaignPage />} />
            <Route path="operators" element={<OperatorsPage />} />
            <Route path="activity" element={<ActivityPage />} />
            <Route path="finality" element={<FinalityPage />} />
            <Route path="history" element={<HistoryPage />} />
            <Route path="customer" element={<CustomerPage />} />
            <Route path="system" element={<SystemPage />} />
            <Route path="money-at-risk" element={<MoneyAtRiskPage />} />
            <Route path="dead-letters" element={<DeadLettersPage />} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
