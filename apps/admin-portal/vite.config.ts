import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";
import { API_ROUTES, upstreamUrls } from "./server/routes.ts";

export default defineConfig(({ mode }) => {
  // The same overrides (ORDER_SERVICE_URL, …) as server/serve.ts: from the environment or a .env file.
  const upstreams = upstreamUrls(loadEnv(mode, ".", ""));
  return {
    plugins: [react(), tailwindcss()],
    // The dev server proxies like server/serve.ts does in production, from the same route table.
    server: {
      port: 3000,
      proxy: Object.fromEntries(API_ROUTES.map(({ prefix, service }) => [prefix, upstreams[service]])),
    },
    build: { outDir: "dist", sourcemap: true },
  };
});
