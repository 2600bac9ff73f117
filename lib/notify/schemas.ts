import { z } from "zod";
import { DELIVERY_EVENTS, DELIVERY_STATUSES, NOTIFICATION_KINDS } from "@/db/schema/notifications";
import { SEVERITIES } from "@/lib/detect/types";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { unstorableReason } from "@/lib/storable-text";

export const destinationIdSchema = z.uuid({ message: "destination id: expected a UUID" });

const nameSchema = z.string().trim().min(1, "name: give the destination a name").max(100, "name: at most 100 characters");
const kindSchema = z.enum(NOTIFICATION_KINDS, { message: `kind: expected one of ${NOTIFICATION_KINDS.join(", ")}` });
const severitySchema = z.enum(SEVERITIES, { message: `min_severity: expected one of ${SEVERITIES.join(", ")}` });
const reasonSchema = z.string().trim().min(1).max(500);

/** A webhook address: http or https, with a host, at most 2048 characters. It may carry a token, so it is sealed at rest. */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048, "url: at most 2048 characters")
  .pipe(z.url({ protocol: /^https?$/, hostname: /./, message: "url: expected an http:// or https:// address" }));

export const createDestinationInput = z.strictObject({
  name: nameSchema,
  kind: kindSchema,
  url: webhookUrlSchema,
  min_severity: severitySchema,
  enabled: z.boolean().default(true),
});
export type CreateDestinationInput = z.infer<typeof createDestinationInput>;

export const updateDestinationInput = z
  .strictObject({
    name: nameSchema.optional(),
    min_severity: severitySchema.optional(),
    enabled: z.boolean().optional(),
    url: webhookUrlSchema.optional(),
    reason: reasonSchema.optional(),
  })
  .refine((v) => v.name !== undefined || v.min_severity !== undefined || v.enabled !== undefined || v.url !== undefined, {
    message: "nothing to change: give name, min_severity, enabled or url",
  });
export type UpdateDestinationInput = z.infer<typeof updateDestinationInput>;

export const optionalReasonSchema = reasonSchema.optional();

/** An escalation role as runbooks name it (`escalation_path` entries): one line, at most 100 characters, matched exactly. */
export const escalationRoleSchema = z
  .string()
  .trim()
  .min(1, "role: give the escalation role's name, as the runbook's escalation_path spells it")
  .max(100, "role: at most 100 characters")
  .refine((v) => !/[\r\n]/.test(v), "role: one line of text")
  .superRefine((v, c) => {
    const why = unstorableReason(v);
    if (why) c.addIssue({ code: "custom", message: `role: ${why}` });
  });

export const mappingIdSchema = z.uuid({ message: "mapping id: expected a UUID" });

export const mapEscalationRoleInput = z.strictObject({
  role: escalationRoleSchema,
  destination_id: destinationIdSchema,
  reason: reasonSchema.optional(),
});

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const deliveryFiltersSchema = z.object({
  destination_id: optional(destinationIdSchema),
  status: optional(z.enum(DELIVERY_STATUSES, { message: `status: expected one of ${DELIVERY_STATUSES.join(", ")}` })),
  before_id: optional(z.coerce.number().int().positive()),
  limit: optional(z.coerce.number().int().min(1).max(200)),
});
export type DeliveryFilters = z.infer<typeof deliveryFiltersSchema>;

/** Scheme and host (with port) only: what may be shown and audited of a webhook URL. */
export function urlHintOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** Body of the routes that take only an optional reason. */
export const optionalReasonBody = z.object({ reason: optionalReasonSchema });

// What the API answers.

export const destinationViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    url_hint: z.string().meta({ description: "Scheme and host only: the URL may carry a token, so it is sealed at rest" }),
    min_severity: z.enum(SEVERITIES),
    enabled: z.boolean(),
    signing_key_version: z.number().int(),
    created_by: z.string(),
    created_at: isoTime,
    changed_by: z.string().nullable(),
    changed_at: nullableTime,
    changed_action: z.string().nullable(),
  })
  .meta({ id: "NotificationDestination" });

export const createdDestinationSchema = z.object({
  destination: destinationViewSchema,
  signing_key: z.string().nullable().meta({ description: "JSON destinations: the HMAC key receivers verify with, shown this once; null for Slack" }),
});

export const rotatedSigningKeySchema = z.object({
  destination_id: z.uuid(),
  signing_key_version: z.number().int(),
  signing_key: z.string().meta({ description: "Shown this once" }),
});

export const deliveryViewSchema = z
  .object({
    id: z.number().int(),
    destination_id: z.uuid(),
    destination_name: z.string(),
    alert_id: z.number().int().nullable().meta({ description: "Null for anything but an alert" }),
    event: z.enum(DELIVERY_EVENTS),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: nullableTime,
    last_error: z.string().nullable(),
    created_at: isoTime,
    delivered_at: nullableTime,
    attempt_log: z.array(
      z.object({ attempt: z.number().int(), at: isoTime, status_code: z.number().int().nullable(), error: z.string().nullable(), duration_ms: z.number() }),
    ),
  })
  .meta({ id: "NotificationDelivery" });

export const deliveryPageSchema = z.object({ deliveries: z.array(deliveryViewSchema), next_before_id: z.number().int().nullable() });

export const escalationRoleMappingSchema = z
  .object({
    id: z.uuid(),
    role: z.string(),
    destination_id: z.uuid(),
    destination_name: z.string(),
    destination_kind: z.enum(NOTIFICATION_KINDS),
    destination_enabled: z.boolean().meta({ description: "A disabled destination is not paged" }),
    created_by: z.string(),
    created_at: isoTime,
  })
  .meta({ id: "EscalationRoleMapping" });

export const escalationRolesSchema = z.object({
  mappings: z.array(escalationRoleMappingSchema),
  runbook_roles: z.array(z.string()).meta({ description: "Every role the latest version of each runbook names in its escalation_path" }),
});
