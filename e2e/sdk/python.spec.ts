import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";
import { apiTokenWithCli } from "../support/agents";

/**
 * The Python SDK (sdk/python) against this built console and its Redis: each file of its pytest
 * suite runs in Debian's Python (python3-pytest, python3-redis, python3-cryptography; .ci/run installs them), with an
 * admin token to register its own agents, press kills and read back what was stored.
 */
const PYTHON = "/usr/bin/python3";
const TESTS = path.join("sdk", "python", "tests");

const SUITES: [file: string, what: string][] = [
  ["test_unit.py", "backoff, stream parsing, the guide's Redis reading, encoding, output checks and signing, without a console"],
  [
    "test_delivery.py",
    "10,000 events from 4 threads exactly once, a 10 s outage losing nothing with log() under 1 ms p99, refusals, a full buffer, fork and exit",
  ],
  ["test_killswitch.py", "a kill stops the agent within a second and is acknowledged, revive, the global kill, fail closed and fail open"],
  ["test_redis_mode.py", "Redis mode on the guide's keys and channel, from the console and from redis-cli"],
  ["test_extras.py", "canaries issued by the console, output checks, signed messages with the console's HMAC secret, the asyncio client"],
  [
    "test_tool_tokens.py",
    "tool tokens verified as the spec says: each refusal, key rotation, revocation by list and live stream, the guide's HS256 shape, refusals reported",
  ],
  ["test_examples.py", "the docs' quickstart runs as shown, and pip installs the package"],
];

function runPython(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test.describe("the Python SDK", () => {
  let env: NodeJS.ProcessEnv;

  test.beforeAll(async ({ baseURL }) => {
    const pytest = await runPython(["-c", "import pytest, redis, cryptography"], childEnv({}));
    if (pytest.code !== 0)
      throw new Error(
        `${PYTHON} lacks pytest, redis or cryptography (apt-get install python3-pytest python3-redis python3-cryptography; .ci/run does):\n${pytest.output}`,
      );
    env = childEnv({
      AGENTSOC_TEST_URL: baseURL ?? "",
      AGENTSOC_TEST_ADMIN_TOKEN: apiTokenWithCli("admin"),
      AGENTSOC_TEST_REDIS_URL: e2eEnv().AGENTSOC_TEST_REDIS_URL,
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONPATH: "",
    });
  });

  for (const [file, what] of SUITES) {
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads which fixtures a test uses from its first parameter's pattern; this one uses none
    test(`${file}: ${what}`, async ({}, testInfo) => {
      test.setTimeout(240_000);
      const run = await runPython(["-m", "pytest", path.join(TESTS, file), "-q", "-rfE", "-p", "no:cacheprovider", "--durations=3"], env);
      await testInfo.attach(`pytest ${file}`, { body: run.output, contentType: "text/plain" });
      expect(run.code, `pytest ${file} failed:\n${run.output}`).toBe(0);
    });
  }
});
