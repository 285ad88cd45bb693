import path from "node:path";
import { defineConfig } from "vitest/config";

// Two lanes. `unit`: pure logic (config, limits, roles, statuses, parsers,
// the deployment manifests) with no services at all, done in seconds (`npm run test:unit`).
// `integration`: real parts; tests/global-setup.ts starts a throwaway
// PostgreSQL, Redis and the built web app for the whole run, and files keep
// apart through unique usernames and client addresses.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts", "tests/deploy/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/unit/**", "tests/deploy/**", "**/node_modules/**"],
          globalSetup: ["tests/global-setup.ts"],
          setupFiles: ["tests/support/fresh-connections.ts"],
        },
      },
    ],
  },
});
