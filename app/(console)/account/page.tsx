import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { AccountSessions } from "@/components/account-sessions";
import { appDb } from "@/db/client";
import { listOwnSessions } from "@/lib/auth";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const me = await requireUser();
  const sessions = await listOwnSessions({ ctx: { db: appDb(), actor: me, requestId: randomUUID(), sourceIp: null } });
  return (
    <>
      <h1>Account</h1>
      <p className="subtitle">
        Signed in as {me.email} ({me.role}). <Link href="/account/password">Change password</Link> · <Link href="/account/second-factor">Two-step sign-in</Link>
      </p>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <p className="subtitle">
          Each browser you signed in from, while its session lasts (12 hours at most, 2 hours without use). Sign out any you do not recognise, then change your
          password.
        </p>
        <div className="panel">
          <AccountSessions initial={sessions} />
        </div>
      </section>
    </>
  );
}
