import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";
import { nextStartArgs } from "../../scripts/lib/next-server";
import { DOC_PAGES, pageBlocks, pageScript } from "../../scripts/testing/doc-commands";
import { EGRESS_ALLOW_FOR_TESTS } from "../../scripts/testing/egress";
import { createExtraDatabase, freePort, startRedisServer } from "../../scripts/testing/infra";

/**
 * Runs every shell example of the docs, page by page in the order a reader meets them, against a
 * console of their own: a fresh database and Redis, as on a new install (the examples register
 * agents, kill them and kill all, which must not touch the other specs' console). Each page's
 * shell starts from the variables the pages before it exported. `curl` answers an HTTP error with
 * a failure, so an example that stopped working fails its page.
 */
const ROOT = process.cwd();
test.describe.configure({ mode: "serial" });

let server: ChildProcess | undefined;
let stops: (() => Promise<void>)[] = [];
let consoleUrl = "";
let work = "";
let env = childEnv({});

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const { AGENTSOC_TEST_OWNER_DATABASE_URL: ownerRunUrl, SOC_SECRET: secret } = e2eEnv();
  const database = await createExtraDatabase(ownerRunUrl, "docs");
  stops.push(database.drop);
  const redis = await startRedisServer();
  stops.push(redis.stop);
  const port = await freePort();
  consoleUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, nextStartArgs(port, "127.0.0.1"), {
    env: childEnv({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      SOC_SECRET: secret,
      PORT: String(port),
      NEXT_TELEMETRY_DISABLED: "1",
      SOC_EGRESS_ALLOW_CIDRS: EGRESS_ALLOW_FOR_TESTS,
    }),
    stdio: "ignore",
  });
  await expect
    .poll(async () => (await fetch(`${consoleUrl}/sign-in`).catch(() => null))?.status ?? 0, { timeout: 60_000, message: "the docs' console never answered" })
    .toBe(200);
  work = mkdtempSync(path.join(tmpdir(), "agentsoc-docs-"));
  // The reader's shell: in the checkout for npm, the operator's (owner) login for the CLI, the console's Redis.
  env = childEnv({ DATABASE_URL: database.ownerUrl, REDIS_URL: redis.url, SOC_SECRET: secret, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" });
  writeFileSync(path.join(work, "state.sh"), "");
  // The SDKs' examples are run from the checkout's paths (sdk/…), as a reader in the checkout does.
  symlinkSync(path.join(ROOT, "sdk"), path.join(work, "sdk"));
});

test.afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  for (const stop of stops.reverse()) await stop();
  stops = [];
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const page of DOC_PAGES) {
  test(`the shell examples of ${page} run`, async () => {
    test.setTimeout(240_000);
    const script = pageScript(pageBlocks(ROOT, page), consoleUrl);
    const wrapped = [
      "set -euo pipefail",
      `cd ${JSON.stringify(work)}`,
      "source ./state.sh",
      // npm runs in the checkout, as the reader's does; files the examples write land in the work directory.
      `npm() { command npm --prefix ${JSON.stringify(ROOT)} "$@"; }`,
      'curl() { command curl --fail-with-body "$@"; }',
      script,
      "export -p > ./state.next.sh",
    ].join("\n");
    const result = spawnSync("bash", ["-c", wrapped], { env, encoding: "utf8", timeout: 200_000 });
    expect(result.status, `${page}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
    spawnSync("mv", [path.join(work, "state.next.sh"), path.join(work, "state.sh")]);
  });
}
