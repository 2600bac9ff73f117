"use client";

import { type FormEvent, useState } from "react";
import { formatUtc } from "@/lib/format";
import type { DestinationView, EscalationRoleMappingView, EscalationRolesView } from "@/lib/notify/views";
import { Button } from "../ui/button";
import { ConfirmButton } from "../ui/dialog";
import { Notice } from "../ui/notice";
import { useAction } from "../ui/use-action";

/**
 * Which notification destinations page each escalation role of the runbooks. The incident page's
 * "Page" sends through these; a role with none gets "Mark paged", which only records the call.
 */
export function EscalationRolesAdmin({ roles, destinations }: { roles: EscalationRolesView; destinations: DestinationView[] }) {
  const [role, setRole] = useState("");
  const [destinationId, setDestinationId] = useState("");
  const map = useAction<{ role: string; destination_id: string }>({
    method: "POST",
    url: "/api/v1/notifications/escalation-roles",
    refresh: true,
    onDone: () => setRole(""),
  });
  const unmapped = roles.runbook_roles.filter((r) => !roles.mappings.some((m) => m.role === r));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void map.run({ role, destination_id: destinationId });
  }

  return (
    <section className="panel padded" id="escalation-roles" aria-labelledby="escalation-roles-title" style={{ marginTop: 16 }}>
      <h2 id="escalation-roles-title">Escalation roles</h2>
      <p className="muted">
        A page to a role of an incident's escalation path goes to each enabled destination mapped to it, whatever the destination's minimum severity. The role
        is matched exactly as the runbook's <span className="mono">escalation_path</span> spells it.
      </p>
      {unmapped.length > 0 && <Notice>Roles the runbooks name with no destination (their pages are only recorded): {unmapped.join(", ")}</Notice>}
      {destinations.length === 0 ? (
        <p className="muted">Add a destination above first.</p>
      ) : (
        <form className="form-row" onSubmit={submit} aria-label="Map an escalation role">
          <label>
            Role
            <input name="role" list="escalation-role-names" required maxLength={100} value={role} onChange={(e) => setRole(e.target.value)} />
            <datalist id="escalation-role-names">
              {roles.runbook_roles.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
          </label>
          <label>
            Destination
            <select name="destination_id" required value={destinationId} onChange={(e) => setDestinationId(e.target.value)}>
              <option value="">Choose…</option>
              {destinations.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.kind}
                  {d.enabled ? "" : ", disabled"})
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" variant="primary" busy={map.busy} busyLabel="Mapping…">
            Map role
          </Button>
        </form>
      )}
      <Notice kind="error">{map.error}</Notice>
      {roles.mappings.length === 0 ? (
        <p className="muted">No role is mapped yet: every page is only recorded.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region needs the focus to scroll by keyboard
        <table aria-label="Escalation role mappings" tabIndex={0}>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Destination</th>
              <th scope="col">Mapped</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {roles.mappings.map((m) => (
              <MappingRow key={m.id} mapping={m} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MappingRow({ mapping: m }: { mapping: EscalationRoleMappingView }) {
  const unmap = useAction<{ reason: string }>({ method: "DELETE", url: `/api/v1/notifications/escalation-roles/${encodeURIComponent(m.id)}`, refresh: true });
  return (
    <tr>
      <td className="mono">{m.role}</td>
      <td>
        {m.destination_name} ({m.destination_kind}){!m.destination_enabled && <span className="muted"> disabled: not paged</span>}
      </td>
      <td>
        by {m.created_by} {formatUtc(m.created_at)}
      </td>
      <td className="actions">
        <ConfirmButton
          danger
          title={`Stop paging ${m.role} through ${m.destination_name}?`}
          message="Pages already sent stay as they are."
          confirmLabel="Remove"
          ariaLabel={`Remove ${m.destination_name} from ${m.role}`}
          reason={{}}
          onConfirm={(reason) => unmap.run({ reason })}
        >
          Remove
        </ConfirmButton>
      </td>
    </tr>
  );
}
