import { startEmbeddedPostgres } from "../lib/embedded-pg";

// Started by a test and then killed with SIGKILL, to leave a stale postmaster behind as a crashed launcher would.
const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error("usage: embedded-pg-child <dataDir> <port>");
startEmbeddedPostgres({ dataDir, port: Number(port), databases: ["agentsoc"], log: () => undefined }).then(
  () => {
    console.log("ready");
    setInterval(() => undefined, 60_000);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
