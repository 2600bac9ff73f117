import { describe, expect, it } from "vitest";
import { isSameServer, requireSameServer } from "./same-server";

describe("isSameServer", () => {
  it("counts this machine's names as one, and compares ports", () => {
    expect(isSameServer({ host: "127.0.0.1", port: 5432 }, { host: "localhost", port: 5432 })).toBe(true);
    expect(isSameServer({ host: "[::1]", port: 5432 }, { host: "127.0.0.1", port: 5432 })).toBe(true);
    expect(isSameServer({ host: "", port: 5432 }, { host: "LOCALHOST", port: 5432 })).toBe(true);
    expect(isSameServer({ host: "/var/run/postgresql", port: 5432 }, { host: "127.0.0.1", port: 5432 })).toBe(true);
    expect(isSameServer({ host: "db.internal", port: 5432 }, { host: "DB.internal", port: 5432 })).toBe(true);
    expect(isSameServer({ host: "127.0.0.1", port: 5432 }, { host: "127.0.0.1", port: 5433 })).toBe(false);
    expect(isSameServer({ host: "db-a.internal", port: 5432 }, { host: "db-b.internal", port: 5432 })).toBe(false);
    expect(isSameServer({ host: "127.0.0.1", port: 5432 }, { host: "10.0.0.7", port: 5432 })).toBe(false);
  });

  it("refuses with both addresses and the setting to change", () => {
    expect(() =>
      requireSameServer("apply", "PostgreSQL", { host: "127.0.0.1", port: 5432 }, { host: "orders-db", port: 5432 }, "SOC_ROTATION_PG_ADMIN_URL"),
    ).toThrow(
      "apply: the console's admin login reaches PostgreSQL at 127.0.0.1:5432, not orders-db:5432 where this credential is used; point SOC_ROTATION_PG_ADMIN_URL at that server, or rotate this credential by hand",
    );
  });
});
