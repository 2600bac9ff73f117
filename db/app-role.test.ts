import { describe, expect, it } from "vitest";
import { appConnection, appRoleName, appRolePassword, appRoleSpec, withLogin } from "./app-role";

const OWNER = "postgres://postgres:owner%2Fsecret@127.0.0.1:54329/agentsoc";

describe("the console's own database role", () => {
  it("is named after its database, within PostgreSQL's 63 bytes", () => {
    expect(appRoleName("agentsoc")).toBe("agentsoc_app");
    const long = appRoleName("d".repeat(63));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^agentsoc_[0-9a-f]{16}_app$/);
    expect(appRoleName("e".repeat(63))).not.toBe(long);
  });

  it("has a password derived from the secret and its name, so nothing stores it", () => {
    const password = appRolePassword("a-secret-of-sixteen+", "agentsoc_app");
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(appRolePassword("a-secret-of-sixteen+", "agentsoc_app")).toBe(password);
    expect(appRolePassword("another-secret-here", "agentsoc_app")).not.toBe(password);
    expect(appRolePassword("a-secret-of-sixteen+", "other_app")).not.toBe(password);
  });

  it("is the role SOC_APP_DATABASE_URL names when the operator made one", () => {
    expect(appRoleSpec(undefined, "s")).toEqual({ kind: "own", secret: "s" });
    expect(appRoleSpec("postgres://soc%20app:pw@db.example/agentsoc", null)).toEqual({ kind: "given", name: "soc app" });
    expect(() => appRoleSpec("postgres://db.example/agentsoc", null)).toThrow("SOC_APP_DATABASE_URL must name its user");
  });
});

describe("the connection the console's server gets", () => {
  it("is the app role's login on the owner's server and database, without the owner's password", () => {
    const { url, warning } = appConnection(OWNER, { role: "agentsoc_app", status: "ready", password: "derived" }, undefined);
    expect(warning).toBeNull();
    expect(url).toBe("postgres://agentsoc_app:derived@127.0.0.1:54329/agentsoc");
    expect(url).not.toContain("owner");
    expect(withLogin("postgres://o@h/db?user=o&password=p&sslmode=require", "r", "x")).toBe("postgres://r:x@h/db?sslmode=require");
  });

  it("is the operator's URL when given, with a warning if that role is missing or is the owner", () => {
    const given = "postgres://soc:pw@db.example/agentsoc";
    expect(appConnection(OWNER, { role: "soc", status: "ready", password: null }, given)).toEqual({ url: given, warning: null });
    expect(appConnection(OWNER, { role: "soc", status: "missing", password: null }, given).warning).toContain(
      "the role soc named by SOC_APP_DATABASE_URL does not exist",
    );
    expect(appConnection(OWNER, { role: "soc", status: "owner", password: null }, given).warning).toContain("the owner of the tables");
  });

  it("falls back to the owner's login, saying so and why, when no least-privilege login can be had", () => {
    const missing = appConnection(OWNER, { role: "agentsoc_app", status: "missing", password: null }, undefined);
    expect(missing.url).toBe(OWNER);
    expect(missing.warning).toMatch(/^the console runs with the owner's rights.*may not create the role agentsoc_app.*SOC_APP_DATABASE_URL/);
    expect(appConnection(OWNER, { role: "agentsoc_app", status: "ready", password: null }, undefined).warning).toContain("no password was set on agentsoc_app");
    expect(appConnection(OWNER, { role: "postgres", status: "owner", password: null }, undefined).warning).toContain("DATABASE_URL logs in as postgres itself");
  });
});
