import { z } from "zod";

const usdPerMtok = z.number().nonnegative().max(100_000);

export const modelNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._:@-]{0,127}$/, "model: 1–128 characters, letters, digits, '.', '_', ':', '@' or '-'");

export const setModelPriceInput = z.object({
  model: modelNameSchema,
  input_usd_per_mtok: usdPerMtok,
  output_usd_per_mtok: usdPerMtok,
});

/** Body of PUT /api/v1/model-prices/{model}: the price, the model coming from the path. */
export const setModelPriceBody = setModelPriceInput.omit({ model: true }).extend({ reason: z.string().optional() });

// What the API answers.

const priceFields = { input_usd_per_mtok: z.number(), output_usd_per_mtok: z.number() };

export const modelPriceViewSchema = z
  .object({
    model: z.string(),
    ...priceFields,
    source: z
      .enum(["admin", "default"])
      .meta({ description: "admin: set in this console (over a shipped default of the same model, if any); default: shipped" }),
    updated_at: z.string().nullable(),
    updated_by: z.string().nullable(),
    default: z.object(priceFields).nullable().meta({ description: "The shipped default an admin price replaces" }),
  })
  .meta({ id: "ModelPrice" });

export const modelPriceTableSchema = z.object({ defaults_as_of: z.string(), prices: z.array(modelPriceViewSchema) });
export const setModelPriceResultSchema = z.object({ model: z.string(), ...priceFields });
export const deletedModelPriceSchema = z.object({ model: z.string(), deleted: z.literal(true) });
