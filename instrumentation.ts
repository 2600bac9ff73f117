/** Next.js start-up hook: partition upkeep and retention, hourly, and closing connections on shutdown. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startPartitionMaintenance } = await import("./lib/ingest/partition-maintenance");
  const { closeAppDb } = await import("./db/client");
  const { closeAppRedis } = await import("./lib/redis");
  startPartitionMaintenance();
  process.once("SIGTERM", () => {
    // Next.js stops taking requests on SIGTERM; closing the pools lets in-flight queries finish first.
    void Promise.allSettled([closeAppDb(), closeAppRedis()]);
  });
}
