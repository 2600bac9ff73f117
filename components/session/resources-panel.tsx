import type { SessionTimeline } from "@/lib/forensics/session-timeline";
import { formatCount, formatUtc } from "@/lib/format";

/** Every tool and resource the session used, folded away below the panels. */
export function ResourcesPanel({ timeline }: { timeline: SessionTimeline }) {
  if (timeline.affected_resources.length === 0) return null;
  return (
    <details className="panel stack resources-panel">
      <summary>Everything the session used ({formatCount(timeline.affected_resources.length)} tools and resources)</summary>
      <table aria-label="Affected resources">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Uses</th>
            <th scope="col">First</th>
            <th scope="col">Last</th>
          </tr>
        </thead>
        <tbody>
          {timeline.affected_resources.map((r) => (
            <tr key={`${r.kind}-${r.key}-${r.name}`}>
              <td>{r.kind === "tool" ? "tool" : r.key}</td>
              <td className="log-text">{r.name}</td>
              <td className="num">{formatCount(r.count)}</td>
              <td className="time">{formatUtc(r.first_at)}</td>
              <td className="time">{formatUtc(r.last_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
