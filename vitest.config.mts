import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("./", import.meta.url));

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{lib,db,scripts,components}/**/*.test.ts", "sdk/typescript/src/**/*.test.ts"],
          exclude: ["**/__tests__/**", "node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["{lib,db,scripts,app}/**/__tests__/**/*.test.ts"],
          globalSetup: ["./scripts/testing/vitest-global-setup.ts"],
          setupFiles: ["./scripts/testing/integration-setup.ts"],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
