import { inject } from "vitest";
import { EGRESS_ALLOW_FOR_TESTS } from "./egress";
import { testSocSecret } from "./infra";

// Runs in each test worker before any module reads the configuration.
const databaseUrl = inject("databaseUrl");
const redisUrl = inject("redisUrl");
if (!databaseUrl || !inject("ownerDatabaseUrl") || !redisUrl) throw new Error("integration tests need PostgreSQL and Redis: the global setup provided none");
process.env.DATABASE_URL = databaseUrl;
process.env.REDIS_URL = redisUrl;
// The audit chain is keyed in tests as in production; CLI processes the tests start inherit it.
process.env.SOC_SECRET = testSocSecret();
// The tests' webhook receivers listen on loopback, which the console refuses unless allowed.
process.env.SOC_EGRESS_ALLOW_CIDRS = EGRESS_ALLOW_FOR_TESTS;
