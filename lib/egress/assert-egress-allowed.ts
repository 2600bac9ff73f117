import { AppError } from "@/lib/errors";
import type { EgressPolicy } from "./address-policy";
import { egressPolicy, egressRefusalOf } from "./post-outbound";

/**
 * Refuses, as a VALIDATION error on `field`, a webhook URL whose host is or resolves to an address the
 * egress policy refuses. Sending checks again, after its own resolution: this only answers early.
 */
export async function assertEgressAllowed(url: string, field: string, policy: EgressPolicy = egressPolicy()): Promise<void> {
  const why = await egressRefusalOf(url, policy);
  if (why === null) return;
  const message = `${why}; the console sends only to public addresses, and to private ranges listed in SOC_EGRESS_ALLOW_CIDRS`;
  throw new AppError("VALIDATION", `${field}: ${message}`, { details: { errors: [{ path: field, message }] } });
}
