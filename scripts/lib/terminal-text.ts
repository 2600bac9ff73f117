// C0 controls (ESC among them) and DEL, C1 controls (U+009B is a one-character CSI), and the
// bidirectional overrides and isolates that make a terminal show text in another order than it is.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/**
 * Text from outside (agent-chosen ids and names, reasons, a manifest's fields, a remote server's
 * error) as the operator's terminal may show it: every control character is written as an escape
 * (\x1b, \x9b, \u202e), so it can neither move the cursor, rewrite the screen or the window title,
 * nor fake a line of the CLI's own output.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/** A line whose interpolated values are made terminalSafe; the template's own text (its newlines, its layout) is kept. */
export function shown(template: TemplateStringsArray, ...values: unknown[]): string {
  return template.reduce((out, part, i) => out + part + (i < values.length ? terminalSafe(String(values[i])) : ""), "");
}

/**
 * JSON for --json output. JSON.stringify escapes C0 controls but leaves DEL, C1 controls and the
 * bidirectional ones as they are; they can only stand inside strings, where \uXXXX means the same.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
