"use client";

import { useId } from "react";
import { type GraphGrant, layoutCapabilityGraph } from "@/lib/policy/capability-graph";

/**
 * Who may ask whom, drawn by hand: the agents on a circle, an arrow per grant (dashed once expired),
 * labelled with its actions and rate. An image to screen readers, with every grant in its text; the
 * registry table beside it is its accessible twin.
 */
export function CapabilityGraph({ grants }: { grants: GraphGrant[] }) {
  const id = useId();
  const layout = layoutCapabilityGraph(grants);
  if (layout.nodes.length === 0) return <p className="empty">No grant yet: no agent may ask another through the registry.</p>;
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const arrow = `${id}-arrow`;
  const arrowExpired = `${id}-arrow-expired`;
  return (
    <figure className="capability-graph">
      {/* Below its drawing width the graph scrolls in its own frame, so its labels stay legible and the page does not scroll sideways. */}
      <div className="graph-frame">
        <svg
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: below 560 px its frame scrolls, and a keyboard scrolls only what can take focus (axe's scrollable-region-focusable); focus reads the graph's text
          tabIndex={0}
          aria-labelledby={`${titleId} ${descId}`}
          preserveAspectRatio="xMidYMid meet"
        >
          <title id={titleId}>Who may ask whom</title>
          <desc id={descId}>{`${layout.texts.join(". ")}.`}</desc>
          <defs>
            <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="graph-arrowhead" />
            </marker>
            <marker id={arrowExpired} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="graph-arrowhead expired" />
            </marker>
          </defs>
          <g>
            {layout.edges.map((e) => (
              <path
                key={e.id}
                d={e.path}
                className={e.expired ? "graph-edge expired" : "graph-edge"}
                strokeDasharray={e.expired ? "6 5" : undefined}
                markerEnd={`url(#${e.expired ? arrowExpired : arrow})`}
              />
            ))}
          </g>
          <g>
            {layout.nodes.map((n) => (
              <g key={n.id}>
                <title>{n.id}</title>
                <circle cx={n.x} cy={n.y} r={layout.nodeRadius} className="graph-node" />
                <text x={n.labelX} y={n.labelY} textAnchor={n.anchor} className="graph-node-label">
                  {n.label}
                </text>
              </g>
            ))}
          </g>
          <g>
            {layout.edges.map((e) => (
              <text key={e.id} x={e.labelX} y={e.labelY} textAnchor={e.labelAnchor} className={e.expired ? "graph-edge-label expired" : "graph-edge-label"}>
                {e.label}
              </text>
            ))}
          </g>
        </svg>
      </div>
      <figcaption className="subtitle">
        An arrow per grant, from the agent that may ask to the one it asks; dashed once expired.
        {layout.omittedAgents > 0 ? ` The ${layout.nodes.length} busiest agents are drawn; ${layout.omittedAgents} more are in the table.` : ""} The registry
        table holds the same grants.
      </figcaption>
    </figure>
  );
}
