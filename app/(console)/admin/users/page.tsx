import type { Metadata } from "next";
import { Forbidden } from "@/components/forbidden";
import { UsersAdmin } from "@/components/users-admin";
import { appDb } from "@/db/client";
import { listUsers } from "@/db/queries/auth";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "admin")) return <Forbidden role={me.role} need="admin" what="manage users" />;
  return (
    <>
      <h1>Users</h1>
      <p className="subtitle">Who may sign in, and with which role. Every change is in the audit log.</p>
      <UsersAdmin users={await listUsers(appDb())} myEmail={me.email} />
    </>
  );
}
