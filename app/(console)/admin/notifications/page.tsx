import type { Metadata } from "next";
import { Forbidden } from "@/components/forbidden";
import { NotificationDestinationsAdmin } from "@/components/notifications/destinations-admin";
import { EscalationRolesAdmin } from "@/components/notifications/escalation-roles-admin";
import { appDb } from "@/db/client";
import { listDeliveries, listDestinations, listEscalationRoles } from "@/db/queries/notifications";
import { roleAtLeast } from "@/lib/auth/roles";
import { env, socSecret } from "@/lib/env";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "admin")) return <Forbidden role={me.role} need="admin" what="manage notifications" />;
  const db = appDb();
  const [destinations, deliveries, escalationRoles] = await Promise.all([listDestinations(db), listDeliveries(db, {}), listEscalationRoles(db)]);
  return (
    <>
      <h1>Notifications</h1>
      <p className="subtitle">
        New alerts and incident pages pushed to webhooks: Slack incoming webhooks, or a generic JSON body signed with HMAC-SHA256. Failed deliveries are retried
        with back-off; every attempt is listed below.
      </p>
      <NotificationDestinationsAdmin
        initialDestinations={destinations}
        initialDeliveries={deliveries}
        secretConfigured={socSecret() !== null}
        publicUrl={env().SOC_PUBLIC_URL}
      />
      <EscalationRolesAdmin roles={escalationRoles} destinations={destinations} />
    </>
  );
}
