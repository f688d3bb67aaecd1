// Vite (build, dev server with the service proxied) and Vitest (jsdom) configuration.

import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const SERVICE = "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  server: {
    proxy: {
      "/rl": { target: SERVICE, ws: true, changeOrigin: false },
      "/metrics": { target: SERVICE },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
