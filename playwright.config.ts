import { defineConfig } from "@playwright/test";
import { e2eEnv, launcherEnv } from "./lib/env";
import { launcherServer } from "./scripts/lib/next-server";
import { EGRESS_ALLOW_FOR_TESTS } from "./scripts/testing/egress";

const { AGENTSOC_TEST_DATABASE_URL: databaseUrl, AGENTSOC_TEST_REDIS_URL: redisUrl, AGENTSOC_E2E_PORT: port, SOC_SECRET: socSecret } = e2eEnv();
// Started as the launcher starts it with no listen setting (e2e/launcher checks it listens on loopback only).
const server = launcherServer(launcherEnv({ PORT: String(port) }));

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: ".data/test-results/playwright",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: [process.execPath, ...server.args].map((arg) => JSON.stringify(arg)).join(" "),
    url: `http://127.0.0.1:${port}/agents`,
    reuseExistingServer: false,
    timeout: 60_000,
    // No admin logins for rotating database roles or Redis users: those rotations fail at once, as a spec expects.
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      NEXT_TELEMETRY_DISABLED: "1",
      SOC_SECRET: socSecret,
      SOC_ROTATION_PG_ADMIN_URL: "",
      SOC_ROTATION_REDIS_ADMIN_URL: "",
      SOC_EGRESS_ALLOW_CIDRS: EGRESS_ALLOW_FOR_TESTS,
    },
  },
});
