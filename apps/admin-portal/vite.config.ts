import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const order = "http://127.0.0.1:8080";
export default defineConfig({
  plugins: [react(), tailwindcss()],
  // The dev server proxies like server/serve.ts does in production.
  server: {
    port: 3000,
    proxy: {
      "/api/v1/orders": order,
      "/api/admin/v1/orders": order,
      "/api/admin/v1/auth": order,
      "/api/admin/v1/payments": "http://127.0.0.1:8081",
      "/api/admin/v1/campaigns": "http://127.0.0.1:8082",
    },
  },
  build: { outDir: "dist", sourcemap: true },
});
