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
