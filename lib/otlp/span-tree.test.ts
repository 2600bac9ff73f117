import { describe, expect, it } from "vitest";
import { type SpanEvent, spanTrees, traceUrl } from "./span-tree";

const span = (spanId: string, parentSpanId: string | null, traceId = "t1"): SpanEvent => ({
  eventId: `e-${spanId}`,
  agentId: "a",
  actionType: "decision",
  actionName: spanId,
  at: "2026-01-01T00:00:00Z",
  traceId,
  spanId,
  parentSpanId,
});

const shape = (nodes: ReturnType<typeof spanTrees>[number]["roots"]): unknown[] => nodes.map((n) => [n.event.spanId, shape(n.children)]);

describe("spanTrees", () => {
  it("nests spans under their parents per trace; a span whose parent is not stored is a root", () => {
    const trees = spanTrees([span("root", null), span("chat", "root"), span("tool", "root"), span("http-child", "not-stored"), span("other", null, "t2")]);
    expect(trees.map((t) => [t.traceId, shape(t.roots)])).toEqual([
      [
        "t1",
        [
          [
            "root",
            [
              ["chat", []],
              ["tool", []],
            ],
          ],
          ["http-child", []],
        ],
      ],
      ["t2", [["other", []]]],
    ]);
  });

  it("shows spans that claim to be their own ancestors as roots rather than losing them", () => {
    const trees = spanTrees([span("a", "b"), span("b", "a"), span("self", "self")]);
    const all = JSON.stringify(trees);
    for (const id of ["a", "b", "self"]) expect(all).toContain(`"spanId":"${id}"`);
  });
});

describe("traceUrl", () => {
  it("fills the trace id into the template, or gives none without one", () => {
    expect(traceUrl("https://tempo.example/trace/{trace_id}?x=1", "0af7651916cd43dd8448eb211c80319c")).toBe(
      "https://tempo.example/trace/0af7651916cd43dd8448eb211c80319c?x=1",
    );
    expect(traceUrl(null, "abc")).toBeNull();
  });
});
