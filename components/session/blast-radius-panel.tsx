import Link from "next/link";
import type { SessionTimeline } from "@/lib/forensics/session-timeline";
import { formatCount } from "@/lib/format";
import { Badge } from "../ui/badge";

/** What happened from the injection point on: tools used (unexpected ones marked), agents contacted, data leaving, credentials read, resources touched. */
export function BlastRadiusPanel({ timeline, onShow }: { timeline: SessionTimeline; onShow: (eventId: string) => void }) {
  const blast = timeline.blast_radius;
  if (!blast) return null;
  const tools = blast.tools_used.map((t) => t.tool);
  const unexpected = new Set(blast.unexpected_tools?.map((t) => t.tool) ?? []);
  return (
    <section className="panel stack blast-panel" aria-label="Blast radius">
      <h2>Blast radius</h2>
      <p className="muted">What happened from the injection point on ({formatCount(blast.events_after)} events, the injection point included).</p>
      <figure className="flow" aria-label="Agent, tools and other agents">
        <div className="flow-col">
          <Badge>{timeline.agent_id}</Badge>
        </div>
        <div className="flow-arrow">→</div>
        <div className="flow-col">
          {tools.map((t) => (
            <Badge key={t} tone={unexpected.has(t) ? "sev-high" : undefined} title={unexpected.has(t) ? "not in the baseline's expected tools" : undefined}>
              {t}
            </Badge>
          ))}
        </div>
        <div className="flow-arrow">→</div>
        <div className="flow-col">
          {blast.agents_contacted.length === 0 ? (
            <span className="muted">no other agent</span>
          ) : (
            blast.agents_contacted.map((a) => (
              <Link key={`${a.direction}-${a.agent_id}`} className="badge" href={`/agents/${encodeURIComponent(a.agent_id)}`}>
                {a.direction === "sent" ? "→" : "←"} {a.agent_id} ×{a.count}
              </Link>
            ))
          )}
        </div>
      </figure>
      <dl className="blast-grid">
        <div>
          <dt>Unexpected tools</dt>
          <dd>
            {blast.unexpected_tools === null
              ? "no baseline lists expected tools"
              : blast.unexpected_tools.length === 0
                ? "none"
                : blast.unexpected_tools.map((t) => (
                    <button key={t.tool} type="button" className="link-button" onClick={() => onShow(t.first_event_id)}>
                      {t.tool} ×{t.count}
                    </button>
                  ))}
          </dd>
        </div>
        <div>
          <dt>Data leaving (PII to tools, canaries)</dt>
          <dd>
            {blast.exfiltration.length === 0
              ? "none seen"
              : blast.exfiltration.map((x) => (
                  <p key={`${x.event_id}-${x.type}`} className="log-text">
                    <button type="button" className="link-button" onClick={() => onShow(x.event_id)}>
                      {x.tool ?? x.type}
                    </button>{" "}
                    {x.detail}
                  </p>
                ))}
          </dd>
        </div>
        <div>
          <dt>Credentials and secrets read</dt>
          <dd>
            {blast.credentials_read.length === 0
              ? "none seen"
              : blast.credentials_read.map((c) => (
                  <p key={c.event_id} className="log-text">
                    <button type="button" className="link-button" onClick={() => onShow(c.event_id)}>
                      {c.tool}
                    </button>{" "}
                    {c.reason}
                  </p>
                ))}
          </dd>
        </div>
        <div>
          <dt>Resources touched</dt>
          <dd>
            {blast.resources_touched.length === 0
              ? "none named"
              : blast.resources_touched.slice(0, 50).map((r) => (
                  <p key={`${r.key}-${r.name}`} className="log-text">
                    {r.key}: {r.name} ×{r.count}
                  </p>
                ))}
          </dd>
        </div>
      </dl>
    </section>
  );
}
