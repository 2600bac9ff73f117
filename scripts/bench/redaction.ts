/**
 * Micro-benchmark of the ingest redaction hot path (one core, no I/O).
 * Run: npx tsx scripts/bench/redaction.ts
 */
import { performance } from "node:perf_hooks";
import { type RedactionCounts, redactJson, redactText } from "../../lib/ingest/redact-pii";

const EVENT_COUNT = 20_000;
const ROUNDS = 5;
const TARGET_EVENTS_PER_SECOND = 100_000;

interface BenchEvent {
  input_summary: string;
  output_summary: string;
  error: string | null;
  metadata: Record<string, string>;
}

// Fixed seed so every run redacts the same corpus.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(0x5eed);
const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from empty list");
  return item;
};
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

const SENTENCES = [
  "Fetched the customer record and summarised the last three support tickets for the on-call engineer.",
  "Called search_docs with the query about refund policy and returned 4 matching passages.",
  "The planner decided to split the task into 3 steps before invoking the billing tool.",
  "Parsed the CSV export (2,341 rows) and flagged 12 rows with missing shipping addresses.",
  "Generated a draft reply in English; tone was set to friendly and concise per the style guide.",
  "Retried the HTTP request after a 502 from the upstream service; the second attempt succeeded in 840 ms.",
  "Compared the quarterly totals against the forecast and noted a 4.2% variance in EMEA.",
  "Skipped the web_browse tool because the allow-list does not include external domains.",
  "Loaded 18 documents from the knowledge base and ranked them with the reranker model v2.3.1.",
  "The user asked for a summary of open incidents; two were found with severity high.",
  "Wrote the updated configuration to the staging bucket and scheduled a validation run.",
  "Tool output was truncated at 4096 tokens; the agent requested a narrower date range.",
  "Translated the onboarding checklist into Spanish and German for the regional teams.",
  "No action taken: the request did not match any registered workflow.",
];

const PII_SNIPPETS = [
  () => `Contact the customer at jane.doe${int(1, 999)}@example.com for confirmation.`,
  () => `Customer phone on file is (415) 555-0${int(100, 199)}.`,
  () => "Payment method 4111 1111 1111 1111 was declined by the processor.",
  () => "Verified identity with SSN 123-45-6789 before the account update.",
  () => "Used header x-api-key: sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c to call the API.",
  () => "Connection string included password=Sup3rS3cret! which should not be logged.",
  () => "Client connected from 10.20.30.40 using the mobile app.",
];

function prose(minLength: number, maxLength: number, withPii: boolean): string {
  const target = int(minLength, maxLength);
  const parts: string[] = [];
  let length = 0;
  while (length < target) {
    const sentence = pick(SENTENCES);
    parts.push(sentence);
    length += sentence.length + 1;
  }
  if (withPii) parts.splice(int(0, parts.length), 0, pick(PII_SNIPPETS)());
  return parts.join(" ").slice(0, maxLength + 120);
}

const META_KEYS = ["tool", "model", "region", "session", "workflow", "tenant", "channel"];
const META_VALUES = ["search_docs", "gpt-4o-mini", "eu-west-1", "sess_8f2a91", "refund-flow", "acme", "slack", "web", "v2.3.1"];
const ERRORS = [
  "TimeoutError: upstream did not respond within 30000 ms",
  "ToolError: permission denied for tool web_browse",
  "RateLimitError: retry after 12s",
];

function buildEvent(): BenchEvent {
  const withPii = random() < 0.1;
  const piiInInput = random() < 0.5;
  const metadata: Record<string, string> = {};
  const fieldCount = int(3, 5);
  for (let i = 0; i < fieldCount; i++) metadata[META_KEYS[(i + int(0, 2)) % META_KEYS.length] ?? "tool"] = pick(META_VALUES);
  return {
    input_summary: prose(150, 400, withPii && piiInInput),
    output_summary: prose(150, 400, withPii && !piiInInput),
    error: random() < 0.05 ? pick(ERRORS) : null,
    metadata,
  };
}

function redactEvent(event: BenchEvent, counts: RedactionCounts): number {
  const input = redactText(event.input_summary, counts);
  const output = redactText(event.output_summary, counts);
  const error = event.error === null ? null : redactText(event.error, counts);
  const metadata = redactJson(event.metadata, counts);
  // Returned so the work cannot be optimised away.
  return input.length + output.length + (error?.length ?? 0) + (metadata === null ? 0 : 1);
}

function runRound(events: readonly BenchEvent[]): { ms: number; counts: RedactionCounts; sink: number } {
  const counts: RedactionCounts = {};
  let sink = 0;
  const start = performance.now();
  for (const event of events) sink += redactEvent(event, counts);
  return { ms: performance.now() - start, counts, sink };
}

const events = Array.from({ length: EVENT_COUNT }, buildEvent);
const totalChars = events.reduce((sum, e) => sum + e.input_summary.length + e.output_summary.length, 0);
console.log(`events: ${EVENT_COUNT}, avg summary length: ${(totalChars / (EVENT_COUNT * 2)).toFixed(0)} chars`);

for (let i = 0; i < 3; i++) runRound(events);

const rates: number[] = [];
let lastCounts: RedactionCounts = {};
for (let round = 1; round <= ROUNDS; round++) {
  const { ms, counts } = runRound(events);
  const rate = EVENT_COUNT / (ms / 1000);
  rates.push(rate);
  lastCounts = counts;
  console.log(`round ${round}: ${ms.toFixed(1)} ms  ${Math.round(rate).toLocaleString("en-US")} events/s  ${((ms * 1000) / EVENT_COUNT).toFixed(2)} µs/event`);
}

const sorted = [...rates].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(`findings per round: ${JSON.stringify(lastCounts)}`);
console.log(
  `median: ${Math.round(median).toLocaleString("en-US")} events/s on one core (${(1e6 / median).toFixed(2)} µs/event); target ${TARGET_EVENTS_PER_SECOND.toLocaleString("en-US")} events/s: ${median >= TARGET_EVENTS_PER_SECOND ? "OK" : "BELOW TARGET"}`,
);
