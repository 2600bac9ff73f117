"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { UserView } from "@/lib/auth/views";
import { formatUtc } from "@/lib/format";
import { userQueries } from "./queries";
import { SessionsTable } from "./sessions-table";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

type Ended = { ended: string[]; signed_out: boolean };

/** One person's live browser sessions, for an admin: end one, or all of them, each with a reason. */
export function UserSessionsPanel({ user, onClose }: { user: UserView; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const router = useRouter();
  // An admin ending their own current session has signed themself out.
  const afterEnd = (done: Ended) => {
    if (!done.signed_out) return;
    router.replace("/sign-in");
    router.refresh();
  };
  const query = userQueries.sessions(user.id);
  const sessions = useQuery(query);
  const endOne = useAction<{ id: string; reason: string }, Ended>({
    method: "DELETE",
    url: ({ id }) => `/api/v1/users/${encodeURIComponent(user.id)}/sessions/${encodeURIComponent(id)}`,
    body: ({ reason }) => ({ reason }),
    invalidate: [query.queryKey],
    onDone: afterEnd,
  });
  const endAll = useAction<{ reason: string }, Ended>({
    method: "DELETE",
    url: `/api/v1/users/${encodeURIComponent(user.id)}/sessions`,
    invalidate: [query.queryKey],
    onDone: afterEnd,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new person shown moves focus to their panel
  useEffect(() => heading.current?.focus(), [user.id]);

  const list = sessions.data ?? [];
  return (
    <section className="panel user-sessions" aria-labelledby="user-sessions-heading">
      <div className="user-sessions-head">
        <h2 id="user-sessions-heading" ref={heading} tabIndex={-1}>
          Sessions of {user.email}
        </h2>
        <div className="actions">
          <ConfirmButton
            danger
            disabled={list.length === 0}
            title={`End every session of ${user.email}?`}
            message="Each browser they are signed in from is refused at its next request. Their password and API tokens still work: disable them to stop those too."
            confirmLabel="End all"
            reason={{ placeholder: "why they must sign in again" }}
            onConfirm={(reason) => endAll.run({ reason })}
          >
            End all sessions
          </ConfirmButton>
          <Button onClick={onClose}>Close</Button>
        </div>
      </div>
      <Notice kind="error">{sessions.error?.message ?? null}</Notice>
      {sessions.isPending ? (
        <p className="empty">Loading…</p>
      ) : (
        <SessionsTable
          label={`Sessions of ${user.email}`}
          sessions={list}
          currentLabel="your browser"
          empty="No live sessions."
          actions={(s) => (
            <ConfirmButton
              danger
              ariaLabel={`End ${s.device}, signed in ${formatUtc(s.started_at)}`}
              title={`End this session of ${user.email}?`}
              message={`${s.device}${s.address ? ` from ${s.address}` : ""}, signed in ${formatUtc(s.started_at)}: its next request is refused.`}
              confirmLabel="End session"
              reason={{ placeholder: "why it must end" }}
              onConfirm={(reason) => endOne.run({ id: s.id, reason })}
            >
              End
            </ConfirmButton>
          )}
        />
      )}
    </section>
  );
}
