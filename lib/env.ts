import { z } from "zod";

const envSchema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (the launcher sets it for the embedded server)"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  SOC_SECRET: z.string().min(16).optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  SOC_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SOC_INGEST_RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(60_000),
  SOC_INGEST_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  SOC_INGEST_MAX_EVENTS: z.coerce.number().int().positive().default(10_000),
  SOC_DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | null = null;

/** Parsed once, on first use, so that `next build` does not need a database. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}
