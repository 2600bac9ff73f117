import type { NOTIFICATION_KINDS } from "@/db/schema/notifications";
import { alertPageLink } from "@/lib/detect/links";
import type { OpenedAlert, Severity } from "@/lib/detect/types";

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The generic JSON body for a new alert; the contract receivers build against. */
export interface AlertOpenedBody {
  event: "alert.opened";
  alert: {
    id: number;
    agent_id: string;
    session_id: string | null;
    type: string;
    severity: Severity;
    detail: string;
    count: number;
    first_event_id: string | null;
    first_event_at: string | null;
    created_at: string;
    url: string;
  };
}

export interface TestBody {
  event: "test";
  message: string;
  destination: { id: string; name: string };
  requested_by: string;
  requested_at: string;
}

export interface SlackBody {
  text: string;
}

const DETAIL_MAX = 1_000;

/** The alert on the Alerts page; relative when the console's public address is not configured. */
export function alertUrl(alertId: number, publicUrl: string | null): string {
  return `${publicUrl ?? ""}${alertPageLink(alertId)}`;
}

/** Slack reads `&`, `<` and `>` as markup (`<!channel>`, `<url|text>`); agent-derived text must not be able to use it. */
export function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `[CRITICAL] canary_leak · agent a · session s: detail <link|alert #1>`, one line of plain text. */
export function slackAlertBody(alert: OpenedAlert, publicUrl: string | null): SlackBody {
  const where = [`agent ${alert.agentId}`, ...(alert.sessionId === null ? [] : [`session ${alert.sessionId}`])].join(" · ");
  const head = `[${alert.severity.toUpperCase()}] ${alert.type}${alert.count > 1 ? ` (×${alert.count})` : ""} · ${where}`;
  const url = alertUrl(alert.id, publicUrl);
  // Slack links only absolute addresses; a relative one is shown as text for a person to follow.
  const link = publicUrl ? `<${escapeSlack(url)}|alert #${alert.id}>` : `alert #${alert.id}: ${escapeSlack(url)}`;
  return { text: `${escapeSlack(oneLine(head, 600))}: ${escapeSlack(oneLine(alert.detail, DETAIL_MAX))} ${link}` };
}

export function jsonAlertBody(alert: OpenedAlert, publicUrl: string | null): AlertOpenedBody {
  return {
    event: "alert.opened",
    alert: {
      id: alert.id,
      agent_id: alert.agentId,
      session_id: alert.sessionId,
      type: alert.type,
      severity: alert.severity,
      detail: alert.detail,
      count: alert.count,
      first_event_id: alert.firstEventId,
      first_event_at: alert.firstEventAt?.toISOString() ?? null,
      created_at: alert.createdAt.toISOString(),
      url: alertUrl(alert.id, publicUrl),
    },
  };
}

export function alertBody(kind: NotificationKind, alert: OpenedAlert, publicUrl: string | null): SlackBody | AlertOpenedBody {
  return kind === "slack" ? slackAlertBody(alert, publicUrl) : jsonAlertBody(alert, publicUrl);
}

/** What "send test" delivers: says where it came from and who asked, and nothing about any alert. */
export function testBody(
  kind: NotificationKind,
  test: { destinationId: string; destinationName: string; requestedBy: string; requestedAt: Date },
): SlackBody | TestBody {
  const message = `Test notification from AgentSOC to destination ${test.destinationName}`;
  if (kind === "slack") return { text: `[TEST] ${escapeSlack(oneLine(`${message}, sent by ${test.requestedBy}`, DETAIL_MAX))}` };
  return {
    event: "test",
    message,
    destination: { id: test.destinationId, name: test.destinationName },
    requested_by: test.requestedBy,
    requested_at: test.requestedAt.toISOString(),
  };
}

/** A credential the console could not rotate: someone must act now, so it goes to every enabled destination whatever its minimum severity. */
export interface RotationFailure {
  rotationId: string;
  agentId: string;
  credentialId: string;
  credentialName: string;
  kind: string;
  step: string;
  attempts: number;
  error: string;
  incidentId: number | null;
  failedAt: Date;
}

export interface RotationFailedBody {
  event: "credential_rotation.failed";
  urgent: true;
  rotation: {
    id: string;
    agent_id: string;
    credential_id: string;
    credential_name: string;
    kind: string;
    step: string;
    attempts: number;
    error: string;
    incident_id: number | null;
    failed_at: string;
    url: string;
  };
}

export function rotationUrl(rotationId: string, publicUrl: string | null): string {
  return `${publicUrl ?? ""}/rotations/${encodeURIComponent(rotationId)}`;
}

export function jsonRotationFailedBody(f: RotationFailure, publicUrl: string | null): RotationFailedBody {
  return {
    event: "credential_rotation.failed",
    urgent: true,
    rotation: {
      id: f.rotationId,
      agent_id: f.agentId,
      credential_id: f.credentialId,
      credential_name: f.credentialName,
      kind: f.kind,
      step: f.step,
      attempts: f.attempts,
      error: f.error,
      incident_id: f.incidentId,
      failed_at: f.failedAt.toISOString(),
      url: rotationUrl(f.rotationId, publicUrl),
    },
  };
}

/** `[URGENT] Credential rotation FAILED · agent a · "db login" (postgres_role) at apply after 7 attempts: why <link|rotation>`. */
export function slackRotationFailedBody(f: RotationFailure, publicUrl: string | null): SlackBody {
  const head = `[URGENT] Credential rotation FAILED · agent ${f.agentId} · "${f.credentialName}" (${f.kind}) at ${f.step} after ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}`;
  const url = rotationUrl(f.rotationId, publicUrl);
  const link = publicUrl ? `<${escapeSlack(url)}|rotation>` : `rotation: ${escapeSlack(url)}`;
  return { text: `${escapeSlack(oneLine(head, 600))}: ${escapeSlack(oneLine(f.error, DETAIL_MAX))} ${link}` };
}

/** A person paged an escalation role of an incident through the role's destinations. Title and role are people's or agents' text: data, never markup. */
export interface IncidentPage {
  incidentId: number;
  incidentRef: string;
  title: string;
  severity: Severity;
  role: string;
  pagedBy: string;
  pagedAt: Date;
}

export interface IncidentPagedBody {
  event: "incident.paged";
  page: {
    incident_id: number;
    incident_ref: string;
    title: string;
    severity: Severity;
    role: string;
    paged_by: string;
    paged_at: string;
    url: string;
  };
}

export function incidentUrl(incidentId: number, publicUrl: string | null): string {
  return `${publicUrl ?? ""}/incidents/${incidentId}`;
}

export function jsonIncidentPagedBody(p: IncidentPage, publicUrl: string | null): IncidentPagedBody {
  return {
    event: "incident.paged",
    page: {
      incident_id: p.incidentId,
      incident_ref: p.incidentRef,
      title: p.title,
      severity: p.severity,
      role: p.role,
      paged_by: p.pagedBy,
      paged_at: p.pagedAt.toISOString(),
      url: incidentUrl(p.incidentId, publicUrl),
    },
  };
}

/** `[PAGE] [CRITICAL] INC-7 · on-call-security paged by user:alice: title <link|INC-7>`, one line of plain text. */
export function slackIncidentPagedBody(p: IncidentPage, publicUrl: string | null): SlackBody {
  const head = `[PAGE] [${p.severity.toUpperCase()}] ${p.incidentRef} · ${p.role} paged by ${p.pagedBy}`;
  const url = incidentUrl(p.incidentId, publicUrl);
  const link = publicUrl ? `<${escapeSlack(url)}|${p.incidentRef}>` : `${p.incidentRef}: ${escapeSlack(url)}`;
  return { text: `${escapeSlack(oneLine(head, 600))}: ${escapeSlack(oneLine(p.title, DETAIL_MAX))} ${link}` };
}
