import { formatUtc } from "@/lib/format";
import { type SpanNode, type TraceTree, traceUrl } from "@/lib/otlp/span-tree";

function SpanList({ nodes }: { nodes: SpanNode[] }) {
  return (
    <ul className="span-tree">
      {nodes.map((n) => (
        <li key={n.event.eventId}>
          <span className="badge">{n.event.actionType}</span> <span className="mono">{n.event.actionName}</span>{" "}
          <span className="muted">
            {n.event.agentId} · {formatUtc(n.event.at)} · span {n.event.spanId}
          </span>
          {n.children.length > 0 && <SpanList nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

/** The session's OpenTelemetry spans as trees, each trace linked to the tracing tool when a template is configured. */
export function SpanTrees({ trees, template, truncated }: { trees: TraceTree[]; template: string | null; truncated: boolean }) {
  return (
    <section className="panel stack" aria-label="Traces">
      <h2>Traces</h2>
      {truncated && <p className="muted">Showing the first spans of this session only.</p>}
      {trees.map((t) => {
        const url = traceUrl(template, t.traceId);
        return (
          <div key={t.traceId}>
            <p>
              Trace{" "}
              {url ? (
                <a className="mono" href={url} target="_blank" rel="noreferrer noopener">
                  {t.traceId}
                </a>
              ) : (
                <span className="mono">{t.traceId}</span>
              )}
            </p>
            <SpanList nodes={t.roots} />
          </div>
        );
      })}
    </section>
  );
}
