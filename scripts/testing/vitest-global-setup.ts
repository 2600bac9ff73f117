import type { TestProject } from "vitest/node";
import { startTestInfra } from "./infra";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

/**
 * `npm test` provides the servers through the environment; a bare `npx vitest` finds or starts
 * them here. Either way a missing server fails the run loudly.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provided = process.env.AGENTSOC_TEST_DATABASE_URL && process.env.AGENTSOC_TEST_REDIS_URL;
  const infra = provided ? null : await startTestInfra();
  project.provide("databaseUrl", infra?.databaseUrl ?? process.env.AGENTSOC_TEST_DATABASE_URL ?? "");
  project.provide("redisUrl", infra?.redisUrl ?? process.env.AGENTSOC_TEST_REDIS_URL ?? "");
  return async () => {
    await infra?.stop();
  };
}
