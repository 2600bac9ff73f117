/** Next.js start-up hook (Node.js runtime only). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installLogScrubbing } = await import("./lib/errors");
  installLogScrubbing();
  const { stampPeerAddresses } = await import("./lib/http/peer-address");
  stampPeerAddresses();
  const { startServerLifecycle } = await import("./lib/server-lifecycle");
  startServerLifecycle();
}
