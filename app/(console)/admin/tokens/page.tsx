import type { Metadata } from "next";
import { Forbidden } from "@/components/forbidden";
import { TokensAdmin } from "@/components/tokens-admin";
import { appDb } from "@/db/client";
import { listApiTokens } from "@/db/queries/auth";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "admin")) return <Forbidden role={me.role} need="admin" what="manage API tokens" />;
  return (
    <>
      <h1>API tokens</h1>
      <p className="subtitle">
        For automation: SIEM, chat-ops, scripts. Sent as Authorization: Bearer; roles as for people. A token never acts with more rights than its owner has now,
        and dies with its owner or with the token that minted it.
      </p>
      <TokensAdmin tokens={await listApiTokens(appDb())} />
    </>
  );
}
