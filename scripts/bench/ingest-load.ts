import autocannon from "autocannon";
import { benchEvents } from "./bench-events";
import { benchExportBody } from "./bench-spans";

/**
 * The load side of bench:ingest and bench:otlp, run as its own process: builds unique request
 * bodies up front (native JSON events, or the same events as OTLP protobuf spans), then sends them
 * with autocannon and prints autocannon's result as JSON on stdout.
 */
const {
  url,
  keys,
  requests,
  batch,
  connections,
  door = "native",
} = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  keys: { agentId: string; key: string }[];
  requests: number;
  batch: number;
  connections: number;
  door?: "native" | "otlp";
};

const DOORS = {
  native: { path: "/api/v1/ingest", contentType: "application/json", body: (agentId: string, i: number) => JSON.stringify(benchEvents(agentId, batch, i)) },
  otlp: {
    path: "/api/v1/otlp/v1/traces",
    contentType: "application/x-protobuf",
    body: (agentId: string, i: number) => Buffer.from(benchExportBody(agentId, batch, i)),
  },
};
const target = DOORS[door];

const bodies = Array.from({ length: requests }, (_, i) => {
  const agent = keys[i % keys.length];
  if (!agent) throw new Error("no agent keys");
  return { key: agent.key, body: target.body(agent.agentId, i) };
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
        path: target.path,
        setupRequest: (req) => {
          const item = bodies[next++ % bodies.length];
          if (!item) return req;
          return { ...req, body: item.body, headers: { "content-type": target.contentType, authorization: `Bearer ${item.key}` } };
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
