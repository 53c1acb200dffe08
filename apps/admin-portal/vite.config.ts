import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { API_ROUTES, UPSTREAMS } from "./server/routes.ts";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // The dev server proxies like server/serve.ts does in production, from the same route table.
  server: {
    port: 3000,
    proxy: Object.fromEntries(API_ROUTES.map(({ prefix, service }) => [prefix, UPSTREAMS[service].url])),
  },
  build: { outDir: "dist", sourcemap: true },
});
