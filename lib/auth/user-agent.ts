/**
 * A readable device from a User-Agent header: "Firefox on Windows", "Safari on iPhone". Good enough
 * for a person to recognise their own sessions; never used to decide anything. Unknown parts are
 * named as such rather than guessed.
 */
export function describeUserAgent(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? "").slice(0, 300);
  if (ua.trim() === "") return "unknown device";
  const browser = browserOf(ua);
  const os = osOf(ua);
  if (!browser && !os) return "unknown browser";
  return `${browser ?? "unknown browser"} on ${os ?? "unknown system"}`;
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\b(?:OPR|Opera)\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\//, "Firefox"],
  [/\bHeadlessChrome\//, "Headless Chrome"],
  [/\b(?:Chrome|CriOS)\//, "Chrome"],
  [/\bChromium\//, "Chromium"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
  [/^Wget\//i, "Wget"],
  [/\bnode(?:-fetch)?\b|^undici\b/i, "Node.js"],
  [/^python-requests\/|^Python-urllib\//, "Python"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

function browserOf(ua: string): string | null {
  for (const [pattern, name] of BROWSERS) if (pattern.test(ua)) return name;
  return null;
}

function osOf(ua: string): string | null {
  for (const [pattern, name] of SYSTEMS) if (pattern.test(ua)) return name;
  return null;
}
