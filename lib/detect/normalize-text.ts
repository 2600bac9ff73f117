const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_SPACING = /[\t\n\v\f\r]| {2}/;
// Single spaces are left alone: replacing each one with itself would triple the cost of a scan.
const WHITESPACE_RUN = /[\s\u0085]{2,}|[^\S ]|\u0085/g;
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible code point is removed on its own, variation selectors and joiners included
  /[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff]/g;

/**
 * The form every text detector scans: NFKC, invisible characters removed, lower case, and each run
 * of whitespace collapsed to one space. ASCII is already NFKC and carries no invisible characters,
 * so it skips straight to the cheap steps.
 */
export function normalizeForScan(text: string): string {
  if (!NON_ASCII.test(text)) {
    const lower = text.toLowerCase();
    return ASCII_SPACING.test(lower) ? lower.replace(WHITESPACE_RUN, " ") : lower;
  }
  return text.replace(INVISIBLE, "").normalize("NFKC").toLowerCase().replace(WHITESPACE_RUN, " ");
}
