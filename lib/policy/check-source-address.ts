import { inRanges } from "./ip-ranges";

export interface AddressViolation {
  eventIndex: number;
  sessionId: string;
  detail: string;
}

const shown = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** The opening every finding of this rule has for the address: how a session already told is recognised. */
export function addressDetailPrefix(address: string | null): string {
  return address === null ? "A batch reached the console from an address it could not determine" : `A batch reached the console from ${shown(address)}`;
}

/**
 * Judges where a batch came from against the policy's `allowed_ip_ranges`: when the list is not
 * empty and the request's client address (null when the console cannot know it) lies outside every
 * range, one violation per session of the batch, on its earliest new event, except sessions already
 * told about this address (`alreadyTold`). An empty list allows any address. Pure.
 */
export function checkSourceAddress({
  ranges,
  address,
  events,
  alreadyTold = new Set(),
}: {
  ranges: readonly string[];
  address: string | null;
  events: { index: number; row: { tsMicros: number; sessionId: string } }[];
  alreadyTold?: ReadonlySet<string>;
}): AddressViolation[] {
  if (ranges.length === 0 || (address !== null && inRanges(address, ranges))) return [];
  const earliest = new Map<string, { index: number; tsMicros: number }>();
  for (const { index, row } of events) {
    if (alreadyTold.has(row.sessionId)) continue;
    const seen = earliest.get(row.sessionId);
    if (!seen || row.tsMicros < seen.tsMicros) earliest.set(row.sessionId, { index, tsMicros: row.tsMicros });
  }
  const allowed = ranges.length > 5 ? `${ranges.slice(0, 5).join(", ")} and ${ranges.length - 5} more` : ranges.join(", ");
  return [...earliest].map(([sessionId, { index }]) => ({
    eventIndex: index,
    sessionId,
    detail: `${addressDetailPrefix(address)}, outside the policy's allowed_ip_ranges (${allowed})`,
  }));
}
