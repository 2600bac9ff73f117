import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appDb } from "@/db/client";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { currentPriceTable, deleteModelPrice, listModelPrices, priceFor, setModelPrice } from "@/lib/model-prices";
import { testCtx } from "@/scripts/testing/fixtures";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "api_token", tokenId: randomUUID(), name: `as-${role}`, role } };
}

async function auditFor(ctx: Ctx) {
  const rows = await appDb().execute<{ action: string; target_id: string; before: unknown; after: unknown; reason: string | null }>(
    sql`SELECT action, target_id, before, after, reason FROM audit_log WHERE request_id = ${ctx.requestId} ORDER BY id`,
  );
  return rows.rows;
}

describe("model prices", () => {
  it("are set and removed by admins only, audited, and take over from the shipped default at once", async () => {
    const body = { input_usd_per_mtok: 1, output_usd_per_mtok: 3 };
    await expect(setModelPrice({ ctx: as("responder"), input: { model: "gpt-4o-mini", body } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setModelPrice({ ctx: as("admin"), input: { model: "gpt 4o", body } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(
      setModelPrice({ ctx: as("admin"), input: { model: "gpt-4o-mini", body: { input_usd_per_mtok: -1, output_usd_per_mtok: 1 } } }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
    });

    const ctx = as("admin");
    expect(await setModelPrice({ ctx, input: { model: "GPT-4o-mini", body, reason: "negotiated rate" } })).toEqual({ model: "gpt-4o-mini", ...body });
    expect(await auditFor(ctx)).toEqual([
      { action: "model_price.set", target_id: "gpt-4o-mini", before: null, after: { model: "gpt-4o-mini", ...body }, reason: "negotiated rate" },
    ]);
    expect(priceFor(await currentPriceTable(appDb()), "gpt-4o-mini-2024-07-18")).toMatchObject({ inputUsdPerMtok: 1, outputUsdPerMtok: 3, source: "admin" });
    const listed = await listModelPrices({ ctx: as("viewer") });
    expect(listed.prices.find((p) => p.model === "gpt-4o-mini")).toMatchObject({
      source: "admin",
      default: { input_usd_per_mtok: 0.15, output_usd_per_mtok: 0.6 },
    });

    await expect(deleteModelPrice({ ctx: as("analyst"), input: { model: "gpt-4o-mini" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const removal = as("admin");
    expect(await deleteModelPrice({ ctx: removal, input: { model: "gpt-4o-mini", reason: "contract ended" } })).toEqual({
      model: "gpt-4o-mini",
      deleted: true,
    });
    expect(await auditFor(removal)).toEqual([
      { action: "model_price.delete", target_id: "gpt-4o-mini", before: { model: "gpt-4o-mini", ...body }, after: null, reason: "contract ended" },
    ]);
    expect(priceFor(await currentPriceTable(appDb()), "gpt-4o-mini")).toMatchObject({ inputUsdPerMtok: 0.15, source: "default" });
    await expect(deleteModelPrice({ ctx: as("admin"), input: { model: "gpt-4o-mini" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
