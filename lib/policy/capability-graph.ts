/**
 * The layout of the "who may ask whom" graph: the agents the registry names, on a circle, and an
 * arrow per grant from the agent that may ask to the one it asks. Pure; the console draws it.
 */

export interface GraphGrant {
  id: string;
  source_agent: string;
  target_agent: string;
  allowed_actions: string[];
  max_requests_per_minute: number;
  expired: boolean;
}

export interface GraphNode {
  id: string;
  /** The id as drawn: cut short when long (the full id is the node's title). */
  label: string;
  x: number;
  y: number;
  /** Where the label sits, and which way it reads from there. */
  labelX: number;
  labelY: number;
  anchor: "start" | "middle" | "end";
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** An SVG path from the source's rim to the target's rim, bowed when the pair also has a grant the other way. */
  path: string;
  labelX: number;
  labelY: number;
  /** The label reads away from the circle's middle, so the labels of two arrows side by side do not run into each other. */
  labelAnchor: "start" | "middle" | "end";
  label: string;
  expired: boolean;
  /** One line a screen reader reads for this grant. */
  text: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodeRadius: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Agents left out to keep the graph readable (the table lists them all). */
  omittedAgents: number;
  /** Every grant as a sentence, drawn or not: the drawing's text alternative. */
  texts: string[];
}

export function grantText(g: GraphGrant): string {
  return `${g.source_agent} may ask ${g.target_agent} for ${g.allowed_actions.join(", ")}, at most ${g.max_requests_per_minute} a minute${g.expired ? " (expired)" : ""}`;
}

export const MAX_GRAPH_AGENTS = 24;

// By code points: a cut never splits a character written as a surrogate pair (an emoji).
const cut = (text: string, max: number) => {
  const points = [...text];
  return points.length > max ? `${points.slice(0, max - 1).join("")}…` : text;
};
const round = (n: number) => Math.round(n * 10) / 10;

export function edgeLabel(g: GraphGrant): string {
  const actions = g.allowed_actions.length > 2 ? `${g.allowed_actions.slice(0, 2).join(", ")} +${g.allowed_actions.length - 2}` : g.allowed_actions.join(", ");
  return `${cut(actions, 36)} · ${g.max_requests_per_minute}/min${g.expired ? " · expired" : ""}`;
}

/** Lays the grants' agents on a circle (busiest first when there are too many to draw) and an arrow per grant between two drawn agents. */
export function layoutCapabilityGraph(grants: GraphGrant[], { width = 720, height = 520 }: { width?: number; height?: number } = {}): GraphLayout {
  const degree = new Map<string, number>();
  for (const g of grants) for (const a of [g.source_agent, g.target_agent]) degree.set(a, (degree.get(a) ?? 0) + 1);
  const chosen = [...degree.keys()]
    .sort((a, b) => (degree.get(b) ?? 0) - (degree.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_GRAPH_AGENTS)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const nodeRadius = 9;
  const cx = width / 2;
  const cy = height / 2;
  // Room around the circle for the labels.
  const radius = Math.max(40, Math.min(width / 2 - 150, height / 2 - 40));
  const position = new Map<string, GraphNode>();
  chosen.forEach((id, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / chosen.length;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const x = cx + radius * cos;
    const y = cy + radius * sin;
    const out = nodeRadius + 8;
    position.set(id, {
      id,
      label: cut(id, 22),
      x: round(x),
      y: round(y),
      labelX: round(x + out * cos),
      labelY: round(y + out * sin + (Math.abs(cos) < 0.3 ? (sin < 0 ? -4 : 12) : 4)),
      anchor: Math.abs(cos) < 0.3 ? "middle" : cos > 0 ? "start" : "end",
    });
  });
  const pairs = new Set(grants.map((g) => `${g.source_agent}\u0000${g.target_agent}`));
  const edges: GraphEdge[] = [];
  for (const g of grants) {
    const a = position.get(g.source_agent);
    const b = position.get(g.target_agent);
    if (!a || !b) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    // A pair with grants both ways bows each arrow to its own side, so neither hides the other.
    const bow = pairs.has(`${g.target_agent}\u0000${g.source_agent}`) ? Math.min(40, length / 4) : 0;
    const mx = (a.x + b.x) / 2 - uy * bow;
    const my = (a.y + b.y) / 2 + ux * bow;
    const from = towards(a, { x: mx, y: my }, nodeRadius + 2);
    const to = towards(b, { x: mx, y: my }, nodeRadius + 6);
    const label = edgeLabel(g);
    // The label sits beside the arrow's middle, on the side away from the circle's centre (or, for an arrow through the centre, its right).
    const px = bow === 0 ? mx : ((a.x + b.x) / 2 + mx) / 2;
    const py = bow === 0 ? my : ((a.y + b.y) / 2 + my) / 2;
    let nx = -uy;
    let ny = ux;
    if (nx * (px - cx) + ny * (py - cy) < 0) {
      nx = -nx;
      ny = -ny;
    }
    if (Math.hypot(px - cx, py - cy) < 1 && nx < 0) {
      nx = -nx;
      ny = -ny;
    }
    edges.push({
      id: g.id,
      source: g.source_agent,
      target: g.target_agent,
      path: bow === 0 ? `M${from.x},${from.y} L${to.x},${to.y}` : `M${from.x},${from.y} Q${round(mx)},${round(my)} ${to.x},${to.y}`,
      // A quadratic curve passes halfway between its chord's middle and its control point.
      labelX: round(keepInside(px + nx * 6, label, nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle", width)),
      labelY: round(py + ny * 6 + 4),
      labelAnchor: nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle",
      label,
      expired: g.expired,
      text: grantText(g),
    });
  }
  return { width, height, nodeRadius, nodes: [...position.values()], edges, omittedAgents: degree.size - chosen.length, texts: grants.map(grantText) };
}

/** About how wide a label is drawn (11 px type): enough to keep one inside the drawing. */
const labelWidth = (label: string) => label.length * 6.2;

/** The label's x, moved in so that, read from its anchor, it ends inside the drawing. */
function keepInside(x: number, label: string, anchor: "start" | "middle" | "end", width: number): number {
  const w = labelWidth(label);
  const left = anchor === "start" ? x : anchor === "end" ? x - w : x - w / 2;
  const shift = Math.max(4 - left, Math.min(0, width - 4 - (left + w)));
  return x + shift;
}

function towards(from: { x: number; y: number }, to: { x: number; y: number }, distance: number): { x: number; y: number } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  return { x: round(from.x + (dx / length) * distance), y: round(from.y + (dy / length) * distance) };
}
