"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { sessionQueries } from "../queries";
import { Notice } from "../ui/notice";
import { BlastRadiusPanel } from "./blast-radius-panel";
import { InjectionPanel } from "./injection-panel";
import { ResourcesPanel } from "./resources-panel";
import { type ActionFilter, Timeline } from "./timeline";

const PAGE = 1000;

/**
 * The investigation view of one agent's session: the injection point with its context, the blast
 * radius, and every event on a virtualised timeline with its findings marked in place. All log
 * content is rendered as text.
 */
export function SessionInvestigation({ sessionId, agentId }: { sessionId: string; agentId: string }) {
  const [actionType, setActionType] = useState<ActionFilter>("");
  // The event to scroll to: from a link (#event-<id>, the alerts' links) or a panel's "show" button.
  const [target, setTarget] = useState<string | null>(null);
  const query = useInfiniteQuery(sessionQueries.timeline(sessionId, agentId, actionType, PAGE));
  const first = query.data?.pages[0];
  const events = useMemo(() => query.data?.pages.flatMap((p) => p.events) ?? [], [query.data]);

  useEffect(() => {
    const follow = () => {
      // Event ids are UUIDs: anything else in the hash is not a link of ours.
      const id = /^#event-([0-9a-f-]{36})$/.exec(window.location.hash)?.[1];
      if (id) setTarget(id);
    };
    follow();
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);

  if (query.isError) return <Notice kind="error">The timeline could not be loaded: {query.error.message}</Notice>;
  // The first page carries the analysis of the whole session.
  if (!first || !("anomalies" in first)) return <p className="empty">Rebuilding the session…</p>;

  return (
    <div className="investigation">
      {first.analysis_truncated && (
        <Notice>This session is longer than the analysis reads: the injection point, blast radius and anomalies cover its first 200,000 events.</Notice>
      )}
      <InjectionPanel timeline={first} onShow={setTarget} />
      <BlastRadiusPanel timeline={first} onShow={setTarget} />
      <ResourcesPanel timeline={first} />
      <Timeline
        timeline={first}
        events={events}
        actionType={actionType}
        onActionType={setActionType}
        target={target}
        onTarget={setTarget}
        hasNextPage={query.hasNextPage}
        isFetchingNextPage={query.isFetchingNextPage}
        fetchNextPage={query.fetchNextPage}
      />
    </div>
  );
}
