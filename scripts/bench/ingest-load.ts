import autocannon from "autocannon";
import { benchEvents } from "./bench-events";

/**
 * The load side of bench:ingest, run as its own process: builds unique request bodies up front,
 * then sends them with autocannon and prints autocannon's result as JSON on stdout.
 */
const { url, keys, requests, batch, connections } = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  keys: { agentId: string; key: string }[];
  requests: number;
  batch: number;
  connections: number;
};

const bodies = Array.from({ length: requests }, (_, i) => {
  const agent = keys[i % keys.length];
  if (!agent) throw new Error("no agent keys");
  return { key: agent.key, body: JSON.stringify(benchEvents(agent.agentId, batch, i)) };
});

let next = 0;
// autocannon's own `duration` (and its callback) move on whole seconds of its ticker: time from the
// first request to the last response here instead.
const started = performance.now();
let lastResponse = started;
autocannon(
  {
    url,
    connections,
    amount: requests,
    timeout: 60,
    requests: [
      {
        method: "POST",
        path: "/api/v1/ingest",
        setupRequest: (req) => {
          const item = bodies[next++ % bodies.length];
          if (!item) return req;
          return { ...req, body: item.body, headers: { "content-type": "application/json", authorization: `Bearer ${item.key}` } };
        },
        onResponse: () => {
          lastResponse = performance.now();
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    console.log(JSON.stringify({ ...result, elapsed_s: (lastResponse - started) / 1000 }));
  },
);
