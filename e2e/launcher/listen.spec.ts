import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { expect, test } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";
import { listeningAddresses } from "../support/listening";

test("the console started with no listen setting accepts connections on loopback only", async ({ request }) => {
  const { AGENTSOC_E2E_PORT: port } = e2eEnv();
  expect((await request.get("/sign-in")).ok()).toBe(true);
  expect(listeningAddresses(port)).toEqual(["127.0.0.1"]);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/** `npm run start:next` (the console without the launcher) on a port of its own; stopped with its whole process group. */
async function startNext(env: Record<string, string>): Promise<{ port: number; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const { AGENTSOC_TEST_DATABASE_URL: databaseUrl, SOC_SECRET: secret } = e2eEnv();
  const child = spawn("npm", ["run", "--silent", "start:next"], {
    env: childEnv({ ...env, PORT: String(port), DATABASE_URL: databaseUrl, REDIS_URL: "", SOC_SECRET: secret, NEXT_TELEMETRY_DISABLED: "1" }),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  await expect.poll(() => listeningAddresses(port).length, { timeout: 30_000, message: "npm run start:next never listened" }).toBeGreaterThan(0);
  return { port, child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  await exited;
}

test("npm run start:next listens on 127.0.0.1 too, or on SOC_LISTEN_HOST", async () => {
  test.setTimeout(120_000);
  const plain = await startNext({ SOC_LISTEN_HOST: "" });
  try {
    expect(listeningAddresses(plain.port)).toEqual(["127.0.0.1"]);
  } finally {
    await stop(plain.child);
  }
  const chosen = await startNext({ SOC_LISTEN_HOST: "127.0.0.2" });
  try {
    expect(listeningAddresses(chosen.port)).toEqual(["127.0.0.2"]);
    expect(chosen.output()).toContain("console on http://127.0.0.2:");
  } finally {
    await stop(chosen.child);
  }
});
