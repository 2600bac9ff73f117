/** Next.js start-up hook: keeps event partitions ahead of time and applies retention, hourly. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startPartitionMaintenance } = await import("./lib/ingest/partition-maintenance");
  startPartitionMaintenance();
}
