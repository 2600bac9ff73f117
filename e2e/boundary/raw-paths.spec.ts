import http from "node:http";
import { expect, test } from "@playwright/test";
import { e2eEnv } from "../../lib/env";
import { apiTokenWithCli } from "../support/agents";

interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Sends the path exactly as written (node:http puts it on the request line unchanged; a browser or
 * URL parser might re-encode it), and reads the whole answer.
 */
function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: e2eEnv().AGENTSOC_E2E_PORT, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    expect(req.path).toBe(path);
    req.end();
  });
}

/** API paths whose percent-encoding does not decode to UTF-8: truncated, bare, invalid bytes, a lone surrogate, overlong, %u. */
const BAD_API_PATHS: [string, string][] = [
  ["GET", "/api/v1/sessions/%E0%A4%A"],
  ["GET", "/api/v1/sessions/%"],
  ["GET", "/api/v1/sessions/%FF/timeline"],
  ["GET", "/api/v1/incidents/%ED%A0%80"],
  ["GET", "/api/v1/snapshots/%/manifest"],
  ["PUT", "/api/v1/killswitch/agents/%"],
  ["DELETE", "/api/v1/killswitch/agents/50%"],
  ["GET", "/api/v1/agents/%C0%AF/status/stream"],
  ["GET", "/api/v1/sessions/%u0041?since=1"],
  ["POST", "/api/v1/ingest/%2"],
];

test("an API path that is not valid percent-encoded UTF-8 answers 400 in the API's error shape naming the path, with or without a token", async () => {
  const callers: Record<string, string>[] = [{}, { authorization: `Bearer ${apiTokenWithCli("admin")}` }];
  for (const [method, path] of BAD_API_PATHS) {
    for (const headers of callers) {
      const res = await rawRequest(method, path, headers);
      const what = `${method} ${path}${"authorization" in headers ? " with a token" : ""}`;
      expect(res.status, `${what}: ${res.body}`).toBe(400);
      expect(res.contentType, what).toMatch(/^application\/json/);
      const body = JSON.parse(res.body) as { error: { code: string; message: string; request_id: string; errors: { path: string; message: string }[] } };
      expect(body.error.code, what).toBe("VALIDATION");
      expect(body.error.errors[0]?.path, what).toBe("path");
      expect(body.error.errors[0]?.message, what).toMatch(/is not valid percent-encoded UTF-8/);
      expect(body.error.request_id, what).toMatch(/^[0-9a-f-]{36}$/);
    }
  }
});

test("API paths that decode still reach their routes, percent signs included", async () => {
  const token = apiTokenWithCli("viewer");
  const absent = await rawRequest("GET", "/api/v1/sessions/50%25%20off%E2%9C%93", { authorization: `Bearer ${token}` });
  expect(absent.status, absent.body).toBe(404);
  expect(JSON.parse(absent.body)).toMatchObject({ error: { code: "NOT_FOUND" } });
  // A NUL decodes, and the route itself names the parameter that holds it.
  const nul = await rawRequest("GET", "/api/v1/sessions/a%00b", { authorization: `Bearer ${token}` });
  expect(nul.status, nul.body).toBe(400);
  expect(JSON.parse(nul.body)).toMatchObject({ error: { errors: [{ path: "sessionId" }] } });
  expect((await rawRequest("GET", "/api/v1/agents")).status).toBe(401);
});

test("page paths that are not valid percent-encoded UTF-8 answer 400, never a server error", async () => {
  for (const path of ["/sessions/%E0%A4%A", "/sessions/%", "/agents/%FF", "/incidents/%ED%A0%80", "/sessions/%C0%AF", "/%"]) {
    const res = await rawRequest("GET", path);
    expect(res.status, `${path}: ${res.body}`).toBe(400);
    expect(res.body, path).toMatch(/^Bad request: path: /);
  }
});
