import { spawnSync } from "node:child_process";
import path from "node:path";
import { NEXT_BIN } from "./lib/next-server";
import { startTestInfra, testRunEnv } from "./testing/infra";

/**
 * `npm run test:e2e -- [--build] [playwright args]`: the browser tests alone, or some of them
 * (`npm run test:e2e -- e2e/killswitch`), against the last `next build` (`--build` builds first), on a
 * database and Redis of their own as `npm test` gives them. The exit code is Playwright's.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const build = args.includes("--build");
  const infra = await startTestInfra();
  console.error(`[e2e] servers: ${infra.notes.join("; ")}`);
  const env = await testRunEnv(infra);
  try {
    if (build) {
      const built = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env });
      if (built.status !== 0) return built.status ?? 1;
    }
    const playwright = path.join(process.cwd(), "node_modules", ".bin", "playwright");
    return spawnSync(playwright, ["test", ...args.filter((a) => a !== "--build")], { stdio: "inherit", env }).status ?? 1;
  } finally {
    await infra.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[e2e] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
