import path from "node:path";
import { defineConfig } from "vitest/config";

// One suite, real parts: tests/global-setup.ts starts a throwaway PostgreSQL,
// Redis and the built web app for the whole run; files share them and keep
// apart through unique usernames and client addresses.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
