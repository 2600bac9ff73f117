import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { benchEnv } from "@/lib/env";
import { NEXT_BIN } from "../lib/next-server";

/** Benchmarks measure the code as it is now, not whatever build is lying around (BENCH_SKIP_BUILD=1 reuses one). */
export function buildAppForBench(): void {
  if (benchEnv().BENCH_SKIP_BUILD && existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) return;
  console.error("[bench] building the app (next build; BENCH_SKIP_BUILD=1 reuses an existing build)");
  if (spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: ["ignore", "ignore", "inherit"] }).status !== 0) throw new Error("next build failed");
}
