import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { env } from "@/lib/env";
import { type EgressPolicy, refusalOfHost } from "./address-policy";

/** The policy this console runs with: SOC_EGRESS_ALLOW_CIDRS opens private ranges, nothing else does. */
export function egressPolicy(): EgressPolicy {
  return { allow: env().SOC_EGRESS_ALLOW_CIDRS };
}

/** A request the egress policy refused before anything was sent; the message says which address and why. */
export class EgressRefusedError extends Error {
  readonly code = "EGRESS_REFUSED";

  constructor(why: string) {
    super(`refused to send: ${why} (private and special-purpose addresses are reached only when SOC_EGRESS_ALLOW_CIDRS lists them)`);
    this.name = "EgressRefusedError";
  }
}

export class OutboundTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

export interface OutboundPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Answers longer than this are not read (their body is null); 0 reads none. */
  maxAnswerBytes: number;
  policy: EgressPolicy;
}

export interface OutboundAnswer {
  status: number;
  header: (name: string) => string | null;
  /** Null when the answer is longer than maxAnswerBytes. */
  body: string | null;
}

/** The host of a URL as an address or name, without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function resolveAll(hostname: string, options: { family?: number | "IPv4" | "IPv6"; hints?: number } = {}): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { ...options, all: true }, (err, found) => (err ? reject(err) : resolve(found))));
}

/**
 * Resolves once and hands the connection exactly the addresses it checked, so a name cannot pass the
 * check with one address and connect to another (DNS rebinding).
 */
function checkedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, { family: options.family, hints: options.hints }).then(
      (addresses) => {
        const refused = refusalOfHost(
          hostname,
          addresses.map((a) => a.address),
          policy,
        );
        const first = addresses[0];
        if (refused !== null || !first) return callback(new EgressRefusedError(refused ?? `${hostname} resolves to no address`), "", 0);
        if (options.all) return callback(null, addresses);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}

/**
 * Why the egress policy refuses this URL now, its host name resolved; null when it may be sent to, or
 * when it is no URL or its name does not resolve (validation and sending say so).
 */
export async function egressRefusalOf(url: string, policy: EgressPolicy = egressPolicy()): Promise<string | null> {
  if (!URL.canParse(url)) return null;
  const host = bareHost(new URL(url));
  if (isIP(host)) return refusalOfHost(host, [host], policy);
  const addresses = await resolveAll(host).catch((): LookupAddress[] => []);
  return addresses.length === 0
    ? null
    : refusalOfHost(
        host,
        addresses.map((a) => a.address),
        policy,
      );
}

/**
 * POSTs to a webhook under the egress policy: the host, or every address its name resolves to, must
 * be allowed, and the connection goes to those addresses only (the Host header and TLS name stay the
 * URL's). Redirects are never followed. Throws EgressRefusedError before anything is sent, and
 * OutboundTimeoutError when the whole exchange takes longer than timeoutMs.
 */
export function postOutbound(req: OutboundPost): Promise<OutboundAnswer> {
  const url = new URL(req.url);
  const host = bareHost(url);
  const literalRefusal = isIP(host) ? refusalOfHost(host, [host], req.policy) : null;
  if (literalRefusal) return Promise.reject(new EgressRefusedError(literalRefusal));
  const client = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!client) return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));

  return new Promise<OutboundAnswer>((resolve, reject) => {
    const request = client.request({
      protocol: url.protocol,
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { ...req.headers, host: url.host, "content-length": String(Buffer.byteLength(req.body)) },
      lookup: checkedLookup(req.policy),
      agent: false,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new OutboundTimeoutError(req.timeoutMs)));
      request.destroy();
    }, req.timeoutMs);
    request.on("error", (err) => settle(() => reject(err)));
    request.on("response", (res) => {
      res.on("error", (err) => settle(() => reject(err)));
      const done = (body: string | null) => {
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
            },
            body,
          }),
        );
        if (body === null) res.destroy();
      };
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > req.maxAnswerBytes) return done(null);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > req.maxAnswerBytes) return done(null);
        chunks.push(chunk);
      });
      res.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    });
    request.end(req.body);
  });
}
