"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { z } from "zod";
import { SEVERITIES } from "@/lib/detect/types";
import type { DeliveryView, DestinationView } from "@/lib/notify/views";
import { notificationQueries } from "../queries";
import { ProblemBox, ShownOnce } from "../shown-once";
import { Field, Form } from "../ui/form";
import { useAction } from "../ui/use-action";
import { DestinationRow } from "./destination-row";
import { KINDS, type Shown } from "./labels";
import { NotificationDeliveries } from "./notification-deliveries";

/** The add form's values as POST /api/v1/notifications/destinations takes them; the server checks them again. */
const newDestination = z.object({
  name: z.string().trim().min(1, "Name it").max(100),
  kind: z.enum(KINDS.map(([kind]) => kind)),
  url: z.url({ message: "A full https:// address" }).max(2048),
  min_severity: z.enum(SEVERITIES),
  enabled: z.boolean(),
});

const readDestinationForm = (form: FormData) => ({
  name: form.get("name"),
  kind: form.get("kind"),
  url: form.get("url"),
  min_severity: form.get("min_severity"),
  enabled: form.get("enabled") === "on",
});

export function NotificationDestinationsAdmin({
  initialDestinations,
  initialDeliveries,
  secretConfigured,
  publicUrl,
}: {
  initialDestinations: DestinationView[];
  initialDeliveries: { deliveries: DeliveryView[]; next_before_id: number | null };
  secretConfigured: boolean;
  publicUrl: string | null;
}) {
  const client = useQueryClient();
  const query = useQuery({
    ...notificationQueries.destinations(),
    initialData: { destinations: initialDestinations },
    refetchInterval: 5_000,
  });
  const destinations = query.data.destinations;
  const [problem, setProblem] = useState<string | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: notificationQueries.all });
  const add = useAction<z.output<typeof newDestination>, { destination: DestinationView; signing_key: string | null }>({
    method: "POST",
    url: "/api/v1/notifications/destinations",
    invalidate: [notificationQueries.all],
    onDone: ({ destination, signing_key: key }) =>
      setShown(key ? { title: `Signing key for ${destination.name}`, hint: "give it to the receiver to verify X-AgentSOC-Signature", secret: key } : null),
  });

  return (
    <>
      <ProblemBox problem={problem} />
      {!secretConfigured && (
        <div className="banner-danger" role="alert">
          SOC_SECRET is not set: webhook URLs are stored encrypted with it, so destinations cannot be added or sent to. Set SOC_SECRET and restart the console.
        </div>
      )}
      {publicUrl === null && (
        <div className="notice" role="status">
          SOC_PUBLIC_URL is not set: links in notifications are paths (/alerts?…) rather than full addresses.
        </div>
      )}
      {shown && <ShownOnce title={shown.title} hint={shown.hint} secret={shown.secret} />}

      <Form
        schema={newDestination}
        read={readDestinationForm}
        action={add}
        submitLabel="Add destination"
        className="panel form-row"
        aria-label="Add notification destination"
        onDone={(form) => form.reset()}
      >
        <Field label="Name" name="name" required maxLength={100} placeholder="#soc-alerts" />
        <Field label="Kind" name="kind" as="select" defaultValue="slack">
          {KINDS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Field>
        <Field
          label="Webhook URL (stored encrypted, never shown again)"
          name="url"
          type="url"
          required
          maxLength={2048}
          placeholder="https://hooks.slack.com/services/…"
          autoComplete="off"
          size={48}
        />
        <Field label="Minimum severity" name="min_severity" as="select" defaultValue="high">
          {SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </Field>
        <label className="check">
          <input name="enabled" type="checkbox" defaultChecked />
          Enabled
        </label>
      </Form>

      <section className="panel" style={{ marginTop: 16 }} aria-labelledby="destinations-title">
        <h2 id="destinations-title" style={{ margin: "12px 16px", fontSize: 15 }}>
          Destinations
        </h2>
        {destinations.length === 0 ? (
          <p className="empty">No destinations: alerts are shown in the console only.</p>
        ) : (
          <table aria-label="Notification destinations">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">URL host</th>
                <th scope="col">Minimum severity</th>
                <th scope="col">State</th>
                <th scope="col">Last change</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((d) => (
                <DestinationRow key={d.id} destination={d} onProblem={setProblem} onShown={setShown} onChanged={refresh} />
              ))}
            </tbody>
          </table>
        )}
      </section>

      <NotificationDeliveries initial={initialDeliveries} destinations={destinations} />
    </>
  );
}
