import { describe, expect, it } from "vitest";
import { type GraphGrant, layoutCapabilityGraph, MAX_GRAPH_AGENTS } from "./capability-graph";

const grant = (id: string, source: string, target: string, extra: Partial<GraphGrant> = {}): GraphGrant => ({
  id,
  source_agent: source,
  target_agent: target,
  allowed_actions: ["query_sales"],
  max_requests_per_minute: 20,
  expired: false,
  ...extra,
});

describe("layoutCapabilityGraph", () => {
  it("puts each agent once on a circle inside the drawing and an arrow per grant", () => {
    const layout = layoutCapabilityGraph([grant("1", "orchestrator", "data-agent"), grant("2", "orchestrator", "email-agent", { expired: true })]);
    expect(layout.nodes.map((n) => n.id)).toEqual(["data-agent", "email-agent", "orchestrator"]);
    const cx = layout.width / 2;
    const cy = layout.height / 2;
    const radii = layout.nodes.map((n) => Math.round(Math.hypot(n.x - cx, n.y - cy)));
    expect(new Set(radii).size).toBe(1);
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThan(0);
      expect(n.x).toBeLessThan(layout.width);
      expect(n.y).toBeGreaterThan(0);
      expect(n.y).toBeLessThan(layout.height);
    }
    expect(layout.edges.map((e) => [e.source, e.target, e.expired, e.label])).toEqual([
      ["orchestrator", "data-agent", false, "query_sales · 20/min"],
      ["orchestrator", "email-agent", true, "query_sales · 20/min · expired"],
    ]);
    expect(layout.edges[1]?.text).toBe("orchestrator may ask email-agent for query_sales, at most 20 a minute (expired)");
    expect(layout.edges[0]?.path).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
  });

  it("sets the labels of two arrows side by side reading away from each other", () => {
    const layout = layoutCapabilityGraph([grant("1", "a", "b"), grant("2", "c", "a"), grant("3", "b", "c")]);
    const byId = new Map(layout.edges.map((e) => [e.id, e]));
    // a is at the top, b and c below it: the arrows a→b and c→a are the triangle's sides.
    const sides = [byId.get("1"), byId.get("2")].map((e) => e?.labelAnchor).sort();
    expect(sides).toEqual(["end", "start"]);
    expect(byId.get("3")?.labelAnchor).toBe("middle");
  });

  it("keeps long labels inside the drawing", () => {
    const many = Array.from({ length: 8 }, (_, i) => grant(String(i), `agent-${i}`, `agent-${(i + 1) % 8}`, { allowed_actions: ["a".repeat(40)] }));
    const layout = layoutCapabilityGraph(many);
    for (const e of layout.edges) {
      const w = e.label.length * 6.2;
      const left = e.labelAnchor === "start" ? e.labelX : e.labelAnchor === "end" ? e.labelX - w : e.labelX - w / 2;
      expect(left, e.label).toBeGreaterThanOrEqual(3.9);
      expect(left + w, e.label).toBeLessThanOrEqual(layout.width - 3.9);
    }
  });

  it("bows the two arrows of a pair with grants both ways apart", () => {
    const layout = layoutCapabilityGraph([grant("1", "a", "b"), grant("2", "b", "a")]);
    expect(layout.edges.map((e) => e.path.includes(" Q"))).toEqual([true, true]);
    expect(layout.edges[0]?.labelY === layout.edges[1]?.labelY && layout.edges[0]?.labelX === layout.edges[1]?.labelX).toBe(false);
  });

  it("draws at most MAX_GRAPH_AGENTS agents, the busiest, and says how many it left out", () => {
    const grants = Array.from({ length: MAX_GRAPH_AGENTS + 5 }, (_, i) => grant(String(i), "hub", `spoke-${String(i).padStart(2, "0")}`));
    const layout = layoutCapabilityGraph(grants);
    expect(layout.nodes).toHaveLength(MAX_GRAPH_AGENTS);
    expect(layout.nodes.map((n) => n.id)).toContain("hub");
    expect(layout.omittedAgents).toBe(6);
    expect(layout.edges).toHaveLength(MAX_GRAPH_AGENTS - 1);
    // The text alternative still names every grant.
    expect(layout.texts).toHaveLength(MAX_GRAPH_AGENTS + 5);
  });

  it("cuts long ids and many actions short in the drawing", () => {
    const layout = layoutCapabilityGraph([grant("1", "x".repeat(120), "y", { allowed_actions: ["a", "b", "c", "d"] })]);
    expect(layout.nodes.find((n) => n.id.startsWith("x"))?.label).toHaveLength(22);
    expect(layout.edges[0]?.label).toBe("a, b +2 · 20/min");
  });
});
