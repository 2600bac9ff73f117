import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules") return [];
    return statSync(full).isDirectory() ? files(full) : /\.m?tsx?$/.test(name) ? [full] : [];
  });
}

/** Tests, browser specs and the harnesses that start servers for them and for the benchmarks. */
const HARNESS = /(\.test\.tsx?$|(^|\/)__tests__\/|^e2e\/|^scripts\/(testing|bench)\/|^playwright\.config\.ts$)/;

// Redis ACL users belong to the whole server, not to one logical database: a test that creates users,
// or hands the console a Redis admin login, on the Redis every run (and the console) shares can lock
// them out, as a call on `default` would.
describe("the shared Redis", () => {
  it("never gets ACL commands or an admin login from a test: those use a redis-server of their own", () => {
    const harness = ["lib", "db", "scripts", "app", "components", "e2e"]
      .flatMap((dir) => files(path.join(ROOT, dir)))
      .concat(path.join(ROOT, "playwright.config.ts"))
      .map((file) => path.relative(ROOT, file))
      .filter((file) => HARNESS.test(file) && file !== path.relative(ROOT, __filename));
    const offenders = harness.filter((file) => {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      const usesAcl = /["']ACL["']/.test(text) || /redisAdminUrl\s*:(?!\s*null\b)|SOC_ROTATION_REDIS_ADMIN_URL\s*:(?!\s*(?:""|''))/.test(text);
      return usesAcl && !text.includes("startRedisServer(");
    });
    expect(harness.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
