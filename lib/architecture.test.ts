import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "__tests__" ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const staticImports = [...text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+["']([^"']+)["']/gm)];
  const dynamicImports = [...text.matchAll(/\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g)];
  return [...staticImports, ...dynamicImports].map((m) => m[1] ?? "");
}

describe("layering", () => {
  it("keeps drizzle, pg and SQL out of route handlers, pages and components: reads go through db/queries", () => {
    const offenders = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].flatMap((file) =>
      imports(file)
        .filter((spec) => /^(drizzle-orm|pg|ioredis)(\/|$)|^@\/db\/schema/.test(spec))
        .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("reads configuration only through lib/env.ts (the test and benchmark harnesses excepted)", () => {
    const harness = [path.join("scripts", "testing"), path.join("scripts", "bench")].map((dir) => path.join(ROOT, dir));
    const offenders = ["app", "components", "lib", "db", "scripts"]
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .filter((file) => !file.endsWith(path.join("lib", "env.ts")) && !harness.some((dir) => file.startsWith(dir)))
      .filter((file) => /process\.env(\.[A-Za-z_]|\[)/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("never renders log content as HTML", () => {
    const offenders = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].filter((file) =>
      readFileSync(file, "utf8").includes("dangerouslySetInnerHTML"),
    );
    expect(offenders).toEqual([]);
  });
});
