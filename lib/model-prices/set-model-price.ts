import { eq, sql } from "drizzle-orm";
import { modelPrices } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { forgetPriceTable } from "./price-cache";
import { modelNameSchema, setModelPriceInput } from "./schemas";

const view = (p: { model: string; inputUsdPerMtok: number; outputUsdPerMtok: number }) => ({
  model: p.model,
  input_usd_per_mtok: p.inputUsdPerMtok,
  output_usd_per_mtok: p.outputUsdPerMtok,
});

/** Sets a model's price (USD per million input and output tokens); it replaces the shipped default for that model. */
export async function setModelPrice({ ctx, input }: { ctx: Ctx; input: { model: string; body: Record<string, unknown>; reason?: string } }) {
  authorize(ctx, "admin", "set model prices");
  const parsed = parseOrThrow(setModelPriceInput, { ...input.body, model: input.model });
  const result = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(modelPrices).where(eq(modelPrices.model, parsed.model)).for("update");
    const values = { inputUsdPerMtok: parsed.input_usd_per_mtok, outputUsdPerMtok: parsed.output_usd_per_mtok, updatedBy: actorId(ctx.actor) };
    const [after] = await tx
      .insert(modelPrices)
      .values({ model: parsed.model, ...values })
      .onConflictDoUpdate({ target: modelPrices.model, set: { ...values, updatedAt: sql`now()` } })
      .returning();
    if (!after) throw new AppError("INTERNAL", "The price was not stored");
    await recordAudit(tx, ctx, {
      action: "model_price.set",
      targetType: "model",
      targetId: parsed.model,
      reason: input.reason ?? null,
      before: before ? view(before) : null,
      after: view(after),
    });
    return view(after);
  });
  forgetPriceTable();
  return result;
}

/** Removes an admin's price: the model falls back to its shipped default, if it has one. */
export async function deleteModelPrice({ ctx, input }: { ctx: Ctx; input: { model: string; reason?: string } }) {
  authorize(ctx, "admin", "delete model prices");
  const model = parseOrThrow(modelNameSchema, input.model);
  const result = await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(modelPrices).where(eq(modelPrices.model, model)).returning();
    if (!deleted) throw new AppError("NOT_FOUND", `No admin price is set for model ${model}`);
    await recordAudit(tx, ctx, {
      action: "model_price.delete",
      targetType: "model",
      targetId: model,
      reason: input.reason ?? null,
      before: view(deleted),
      after: null,
    });
    return { model, deleted: true as const };
  });
  forgetPriceTable();
  return result;
}
