"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { formatUtc } from "@/lib/format";
import type { StepOutputView } from "@/lib/incidents/types";
import { RotationProgress } from "../rotation/rotation-progress";

type Variant<T extends StepOutputView["type"]> = Extract<StepOutputView, { type: T }>;

/** What an automated step produced, in the variant the server read it into; the stored JSON stays one click away. */
export function StepOutput({ output, stored }: { output: StepOutputView; stored: Record<string, unknown> | null }) {
  return (
    <div className="step-output">
      {readableOutput(output)}
      {output.type !== "unrecognised" && stored && (
        <details className="raw-output">
          <summary>Raw output</summary>
          <pre className="output-json">{JSON.stringify(stored, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}

function readableOutput(output: StepOutputView): ReactNode {
  switch (output.type) {
    case "killed":
      return <Killed output={output} />;
    case "snapshots":
      return <Snapshots output={output} />;
    case "traces":
      return output.traces.map((trace, n) => <Peers key={trace.agent_id ?? n} trace={trace} />);
    case "timelines":
      return <Timelines output={output} />;
    case "rotation_running":
      return (
        <>
          <p>
            Rotating the credentials: <Link href={rotationHref(output.rotation_id)}>follow the rotation run</Link>.
          </p>
          <RotationProgress rotationId={output.rotation_id} />
        </>
      );
    case "rotation_finished":
      return <RotationFinished output={output} />;
    case "already_rotated":
      return <AlreadyRotated output={output} />;
    case "unrecognised":
      // Stored in no shape the server knows (an old row, say): shown as the JSON it is, as text.
      return <pre className="output-json">{output.raw}</pre>;
  }
}

const rotationHref = (rotationId: string) => `/rotations/${encodeURIComponent(rotationId)}`;
const agentHref = (agentId: string) => `/agents/${encodeURIComponent(agentId)}`;

function sessionHref(sessionId: string, agentId: string | null, eventId?: string | null): string {
  const query = agentId ? `?${new URLSearchParams({ agent: agentId })}` : "";
  return `/sessions/${encodeURIComponent(sessionId)}${query}${eventId ? `#event-${eventId}` : ""}`;
}

function Killed({ output }: { output: Variant<"killed"> }) {
  if (output.killed.length === 0) return <p>No agent was killed.</p>;
  return (
    <p>
      Kill switch set for{" "}
      {output.killed.map((k, n) => (
        <span key={k.agent_id}>
          {n > 0 && ", "}
          <Link className="mono" href={agentHref(k.agent_id)}>
            {k.agent_id}
          </Link>
        </span>
      ))}
      .
    </p>
  );
}

function Snapshots({ output }: { output: Variant<"snapshots"> }) {
  if (output.snapshots.length === 0) return <p>No snapshot was taken.</p>;
  return (
    <ul className="output-list" aria-label="Snapshots taken">
      {output.snapshots.map((s) => (
        <li key={s.snapshot_id}>
          Snapshot of session{" "}
          <Link className="mono" href={sessionHref(s.session_id, s.agent_id)}>
            {s.session_id}
          </Link>
          {s.agent_id && <span className="muted"> ({s.agent_id})</span>}:{" "}
          {s.links.ndjson && (
            <a href={s.links.ndjson} download aria-label={`Download the NDJSON of snapshot ${s.snapshot_id}`}>
              NDJSON
            </a>
          )}
          {s.links.ndjson && s.links.manifest && " · "}
          {s.links.manifest && (
            <a href={s.links.manifest} download aria-label={`Download the signed manifest of snapshot ${s.snapshot_id}`}>
              manifest
            </a>
          )}
          {!s.links.ndjson && !s.links.manifest && <span className="muted">no download link</span>}
        </li>
      ))}
    </ul>
  );
}

type Trace = Variant<"traces">["traces"][number];

function counts(side: Trace["peers"][number]["sent"]): string | null {
  if (side === null) return null;
  const own = String(side.reported_by_agent);
  const peer = String(side.reported_by_peer);
  return peer === own ? own : `${own} (peer says ${peer})`;
}

function Peers({ trace }: { trace: Trace }) {
  const subject = trace.agent_id ?? "it";
  const since = trace.since ? ` since ${formatUtc(trace.since)}` : "";
  if (trace.peers.length === 0) {
    return (
      <p>
        No other agent exchanged messages with {subject}
        {since}.
      </p>
    );
  }
  return (
    <>
      <p>
        {trace.peers.length} other agent{trace.peers.length === 1 ? "" : "s"} exchanged messages with {subject}
        {since}:
      </p>
      <ul className="output-list" aria-label={`Agents that exchanged messages with ${subject}`}>
        {trace.peers.map((peer) => {
          const sent = counts(peer.sent);
          const received = counts(peer.received);
          return (
            <li key={peer.agent_id}>
              <Link className="mono" href={agentHref(peer.agent_id)}>
                {peer.agent_id}
              </Link>
              {sent !== null && ` · sent ${sent}`}
              {received !== null && ` · received ${received}`}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Timelines({ output }: { output: Variant<"timelines"> }) {
  if (output.timelines.length === 0) return <p>No session of the incident could be analysed.</p>;
  return (
    <ul className="output-list" aria-label="Timelines built">
      {output.timelines.map((entry, n) => (
        <TimelineEntry key={entry.session_id ?? n} entry={entry} />
      ))}
    </ul>
  );
}

function TimelineEntry({ entry }: { entry: Variant<"timelines">["timelines"][number] }) {
  const { session_id: sessionId, agent_id: agentId, injection_point: point } = entry;
  const tally = [
    entry.anomalies !== null ? `anomalies: ${entry.anomalies}` : null,
    entry.event_count !== null ? `event count: ${entry.event_count}` : null,
  ].filter((t) => t !== null);
  return (
    <li>
      {sessionId && (
        <>
          Session{" "}
          <Link className="mono" href={sessionHref(sessionId, agentId)}>
            {sessionId}
          </Link>
          {agentId && <span className="muted"> ({agentId})</span>}:{" "}
        </>
      )}
      {point ? (
        <>
          likely injection point{" "}
          {sessionId ? (
            <Link className="mono" href={sessionHref(sessionId, agentId, point.event_id)}>
              {point.event_id}
            </Link>
          ) : (
            <span className="mono">{point.event_id}</span>
          )}
          {point.timestamp && ` at ${formatUtc(point.timestamp)}`}
          {point.reason && `: ${point.reason}`}
        </>
      ) : (
        "no injection point could be placed"
      )}
      {tally.length > 0 && <div className="muted">{tally.join(" · ")}</div>}
    </li>
  );
}

function RotationFinished({ output }: { output: Variant<"rotation_finished"> }) {
  return (
    <>
      <p>
        {output.rotated.length} credential{output.rotated.length === 1 ? "" : "s"} rotated, {output.failed.length} failed ·{" "}
        <Link href={rotationHref(output.rotation_id)}>rotation run</Link>
      </p>
      {output.failed.length > 0 && (
        <div className="step-error">
          Not rotated: the old secret may still work.
          <ul className="output-list" aria-label="Credentials not rotated">
            {output.failed.map((f) => (
              <li key={f.credential_id}>
                “{f.name}” ({f.agent_id}) failed at {f.step ?? "?"}
                {f.attempts !== null && ` after ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}`}: {f.error ?? "no reason recorded"}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

function AlreadyRotated({ output }: { output: Variant<"already_rotated"> }) {
  return (
    <div>
      Every credential it covers was already rotated under this incident:
      <ul className="output-list" aria-label="Credentials already rotated">
        {output.already_rotated.map((r) => (
          <li key={r.credential_id}>
            “{r.name}” ({r.agent_id})
            {r.rotation_id && (
              <>
                {" "}
                · <Link href={rotationHref(r.rotation_id)}>rotation run</Link>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
