import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import { listUsers } from "@/db/queries/auth";
import { createUser, signIn } from "@/lib/auth";
import { testCtx } from "@/scripts/testing/fixtures";

const PASSWORD = "a long enough password 123";

describe("the users list", () => {
  it("shows when each person last signed in, and never for one who has not", async () => {
    const signedIn = `last-${randomUUID().slice(0, 8)}@example.com`;
    const never = `never-${randomUUID().slice(0, 8)}@example.com`;
    await createUser({ ctx: testCtx(), input: { email: signedIn, role: "admin", password: PASSWORD } });
    await createUser({ ctx: testCtx(), input: { email: never, role: "viewer", password: PASSWORD } });
    const before = Date.now();
    await signIn({ ctx: testCtx(), input: { email: signedIn, password: PASSWORD }, userAgent: "vitest" });

    const users = await listUsers(appDb());
    const last = users.find((u) => u.email === signedIn)?.last_sign_in_at;
    expect(last).not.toBeNull();
    expect(Date.parse(last ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(users.find((u) => u.email === never)?.last_sign_in_at).toBeNull();
  });
});
