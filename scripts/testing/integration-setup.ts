import { inject } from "vitest";

// Runs in each test worker before any module reads the configuration.
const databaseUrl = inject("databaseUrl");
const redisUrl = inject("redisUrl");
if (!databaseUrl || !redisUrl) throw new Error("integration tests need PostgreSQL and Redis: the global setup provided none");
process.env.DATABASE_URL = databaseUrl;
process.env.REDIS_URL = redisUrl;
