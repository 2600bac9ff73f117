/** One stored event that came from a span, as the session page lists it. */
export interface SpanEvent {
  eventId: string;
  agentId: string;
  actionType: string;
  actionName: string;
  at: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
}

export interface SpanNode {
  event: SpanEvent;
  children: SpanNode[];
}

export interface TraceTree {
  traceId: string;
  /** Spans whose parent is not among the stored events: the trace's roots, or spans whose parent was no agent operation. */
  roots: SpanNode[];
}

/** The session's events grouped by trace and nested by parent span; order within a level is the events' order. */
export function spanTrees(events: SpanEvent[]): TraceTree[] {
  const traces = new Map<string, SpanEvent[]>();
  for (const e of events) traces.set(e.traceId, [...(traces.get(e.traceId) ?? []), e]);
  return [...traces.entries()].map(([traceId, spans]) => {
    const nodes = new Map<string, SpanNode>();
    for (const e of spans) if (!nodes.has(e.spanId)) nodes.set(e.spanId, { event: e, children: [] });
    const roots: SpanNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.event.parentSpanId ? nodes.get(node.event.parentSpanId) : undefined;
      // A span cannot be its own ancestor; hostile ids that say so are shown as roots.
      if (parent && parent !== node && !isAncestor(node, parent)) parent.children.push(node);
      else roots.push(node);
    }
    return { traceId, roots };
  });
}

function isAncestor(node: SpanNode, candidate: SpanNode): boolean {
  const stack = [...node.children];
  const seen = new Set<SpanNode>();
  while (stack.length > 0) {
    const current = stack.pop();
    if (!current || seen.has(current)) continue;
    if (current === candidate) return true;
    seen.add(current);
    stack.push(...current.children);
  }
  return false;
}

/** The tracing tool's page for a trace, from a template such as `https://tempo.example/trace/{trace_id}`. */
export function traceUrl(template: string | null, traceId: string): string | null {
  return template ? template.replaceAll("{trace_id}", encodeURIComponent(traceId)) : null;
}
