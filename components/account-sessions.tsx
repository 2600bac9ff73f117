"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { SessionView } from "@/lib/auth/views";
import { formatUtc } from "@/lib/format";
import { accountQueries } from "./queries";
import { SessionsTable } from "./sessions-table";
import { Button } from "./ui/button";
import { ConfirmButton } from "./ui/dialog";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

type Ended = { ended: string[]; signed_out: boolean };

/** The signed-in person's browser sessions, each with its own sign-out; this browser's signs out at once. */
export function AccountSessions({ initial }: { initial: SessionView[] }) {
  const router = useRouter();
  const sessions = useQuery({ ...accountQueries.sessions(), initialData: initial, refetchInterval: 30_000 });
  const end = useAction<{ id: string }, Ended>({
    method: "DELETE",
    url: ({ id }) => `/api/v1/auth/sessions/${encodeURIComponent(id)}`,
    body: () => ({}),
    invalidate: [accountQueries.sessions().queryKey],
    onDone: (done) => {
      if (!done.signed_out) return;
      router.replace("/sign-in");
      router.refresh();
    },
  });
  return (
    <>
      <Notice kind="error">{end.error ?? (sessions.error && `Could not refresh the list: ${sessions.error.message}`)}</Notice>
      <SessionsTable
        label="Your sessions"
        sessions={sessions.data}
        currentLabel="this browser"
        empty="No live sessions."
        actions={(s) =>
          s.current ? (
            <Button onClick={() => void end.run({ id: s.id })} busy={end.busy} aria-label="Sign out this browser">
              Sign out
            </Button>
          ) : (
            <ConfirmButton
              danger
              ariaLabel={`Sign out ${s.device}, signed in ${formatUtc(s.started_at)}`}
              title={`Sign out ${s.device}?`}
              message={`Its next request is refused; whoever uses it must sign in again${s.address ? ` (it signed in from ${s.address})` : ""}.`}
              confirmLabel="Sign out"
              onConfirm={() => end.run({ id: s.id })}
            >
              Sign out
            </ConfirmButton>
          )
        }
      />
    </>
  );
}
