import { type ChildProcess, spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";
import { createExtraDatabase, freePort, startRedisServer } from "../../scripts/testing/infra";

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  await exited;
}

test("npm start on a database with no users creates the first admin, says its one-time password again once serving, and it signs in", async () => {
  test.setTimeout(180_000);
  const { AGENTSOC_TEST_OWNER_DATABASE_URL: ownerRunUrl, SOC_SECRET: secret } = e2eEnv();
  const database = await createExtraDatabase(ownerRunUrl, "first_run");
  const redis = await startRedisServer();
  const port = await freePort();
  const launcher = spawn("npm", ["start"], {
    env: childEnv({ DATABASE_URL: database.ownerUrl, REDIS_URL: redis.url, SOC_SECRET: secret, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" }),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  launcher.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  try {
    await expect.poll(() => output, { timeout: 120_000, message: "the launcher never said where the console is" }).toContain("console on http://127.0.0.1:");
    await expect.poll(() => (output.split("console on ")[1] ?? "").includes("password:"), { timeout: 10_000 }).toBe(true);
    const passwords = [...output.matchAll(/password: (\S+)/g)].map((m) => m[1]);
    expect(passwords).toHaveLength(2);
    expect(passwords[0]).toBe(passwords[1]);
    expect(output).toContain("lost it? npm run soc -- user add");

    const base = `http://127.0.0.1:${port}`;
    await expect.poll(async () => (await fetch(`${base}/sign-in`).catch(() => null))?.status ?? 0, { timeout: 60_000 }).toBe(200);
    const signIn = await fetch(`${base}/api/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email: "admin@agentsoc.local", password: passwords[0] }),
    });
    expect(signIn.status, await signIn.text()).toBe(200);
  } finally {
    await stop(launcher);
    await redis.stop();
    await database.drop();
  }
});
