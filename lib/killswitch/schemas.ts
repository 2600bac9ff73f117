import { z } from "zod";

export const KILL_REASON_MAX = 500;
export const KILLED_BY_MAX = 200;

// C0 controls other than tab, newline and carriage return, DEL, and C1 controls (terminal escapes when agents print them).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, "g");

/**
 * Why a text cannot be written as it is into Redis and PostgreSQL's record, or null when it can.
 * PostgreSQL refuses NUL; a lone surrogate has no UTF-8 form, so Redis and the record would each
 * hold something other than what was sent.
 */
export function unstorableTextProblem(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `holds a NUL character (at position ${nul}), which cannot be stored`;
  if (!text.isWellFormed()) return "holds a lone surrogate (not valid Unicode), which cannot be stored";
  const control = CONTROL.exec(text);
  if (control) return `holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}), which cannot be stored`;
  return null;
}

export const killReasonSchema = z
  .string()
  .trim()
  .min(3, "say why (at least 3 characters)")
  .max(KILL_REASON_MAX)
  .superRefine((text, ctx) => {
    const problem = unstorableTextProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
export const killInput = z.object({ reason: killReasonSchema });

/**
 * Text the console did not choose (Redis written by hand, an alert's detail) made fit for the
 * record: NUL, lone surrogates and control characters become U+FFFD, and it is cut to `max`
 * characters, so recording it can never fail and it can never slip a kill past validation.
 */
export function recordableText(text: string, max: number): string {
  const clean = text.toWellFormed().replace(CONTROLS, "\uFFFD").trim();
  if (clean.length <= max) return clean;
  // Lengths count UTF-16 units, as the schema does; a pair cut in half is dropped, not left lone.
  const cut = /[\ud800-\udbff]/.test(clean.charAt(max - 2)) ? max - 2 : max - 1;
  return `${clean.slice(0, cut).trimEnd()}…`;
}

/** A reason composed by the console itself (automatic kills, runbooks) that always passes killReasonSchema. */
export function automaticKillReason(text: string): string {
  const reason = recordableText(text, KILL_REASON_MAX);
  return reason.length >= 3 ? reason : `automatic kill (${reason || "no reason given"})`;
}
