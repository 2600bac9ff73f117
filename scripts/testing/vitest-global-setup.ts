import type { TestProject } from "vitest/node";
import { startTestInfra } from "./infra";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    ownerDatabaseUrl: string;
    redisUrl: string;
  }
}

/**
 * `npm test` provides the servers through the environment; a bare `npx vitest` finds or starts
 * them here. Either way a missing server fails the run loudly.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const provided = env.AGENTSOC_TEST_DATABASE_URL && env.AGENTSOC_TEST_OWNER_DATABASE_URL && env.AGENTSOC_TEST_REDIS_URL;
  const infra = provided ? null : await startTestInfra();
  project.provide("databaseUrl", infra?.databaseUrl ?? env.AGENTSOC_TEST_DATABASE_URL ?? "");
  project.provide("ownerDatabaseUrl", infra?.ownerDatabaseUrl ?? env.AGENTSOC_TEST_OWNER_DATABASE_URL ?? "");
  project.provide("redisUrl", infra?.redisUrl ?? env.AGENTSOC_TEST_REDIS_URL ?? "");
  return async () => {
    await infra?.stop();
  };
}
