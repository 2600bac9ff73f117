import { defineConfig } from "@playwright/test";

const databaseUrl = process.env.AGENTSOC_TEST_DATABASE_URL;
const redisUrl = process.env.AGENTSOC_TEST_REDIS_URL;
if (!databaseUrl || !redisUrl) {
  throw new Error("e2e tests run through `npm test`, which provides PostgreSQL and Redis (AGENTSOC_TEST_DATABASE_URL / AGENTSOC_TEST_REDIS_URL)");
}
const port = Number(process.env.AGENTSOC_E2E_PORT ?? 3210);

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
    command: `node node_modules/next/dist/bin/next start -p ${port} -H 127.0.0.1`,
    url: `http://127.0.0.1:${port}/agents`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NEXT_TELEMETRY_DISABLED: "1", SOC_SECRET: process.env.SOC_SECRET ?? "" },
  },
});
