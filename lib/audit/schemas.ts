import { z } from "zod";
import { isoTime } from "@/lib/schema-kit";

// What the API answers about the audit log.

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: isoTime,
    actor_type: z.string(),
    actor: z.string(),
    action: z.string(),
    target_type: z.string(),
    target_id: z.string(),
    reason: z.string().nullable(),
    before: z.unknown().meta({ description: "The target's state before, as the action recorded it" }),
    after: z.unknown(),
    request_id: z.string().nullable(),
    source_ip: z.string().nullable(),
    hash: z.string().meta({ description: "This row's link in the hash chain" }),
  })
  .meta({ id: "AuditEntry" });

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), next_before_id: z.number().int().nullable() });

export const auditVerificationSchema = z.object({
  intact: z.boolean(),
  rows_checked: z.number().int(),
  problem: z
    .object({ id: z.number().int(), kind: z.enum(["altered", "removed", "unverifiable"]), message: z.string() })
    .nullable()
    .meta({ description: "The first row altered or removed" }),
});
