import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// A run of its own for scripts/__tests__/exit-codes.test.ts, set up as the integration tests are
// (the same global setup) plus an embedded PostgreSQL loaded as when one is started. Its files end in
// `.fixture.ts`, which the suite's own globs never pick up.
export default defineConfig({
  root: fileURLToPath(new URL("./", import.meta.url)),
  resolve: { alias: { "@": fileURLToPath(new URL("../../../", import.meta.url)) } },
  test: {
    include: ["*.fixture.ts"],
    globalSetup: ["../vitest-global-setup.ts", "./load-embedded-postgres.ts"],
  },
});
