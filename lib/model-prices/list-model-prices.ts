import { type AdminModelPrice, listAdminModelPrices } from "@/db/queries/model-prices";
import { authorize } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { DEFAULT_PRICES, DEFAULT_PRICES_AS_OF } from "./default-prices";

export interface ModelPriceView {
  model: string;
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  /** "admin": set in this console (and replacing a default of the same model, if any); "default": shipped. */
  source: "admin" | "default";
  updated_at: string | null;
  updated_by: string | null;
  /** The shipped default this admin price replaces, if any. */
  default: { input_usd_per_mtok: number; output_usd_per_mtok: number } | null;
}

export interface ModelPriceTableView {
  defaults_as_of: string;
  prices: ModelPriceView[];
}

/** The price table in force: admins' prices over the shipped defaults, by model. */
export async function listModelPrices({ ctx }: { ctx: Ctx }): Promise<ModelPriceTableView> {
  authorize(ctx, "viewer", "read model prices");
  return modelPriceViews(await listAdminModelPrices(ctx.db));
}

export function modelPriceViews(admin: AdminModelPrice[]): ModelPriceTableView {
  const defaults = new Map(DEFAULT_PRICES.map((p) => [p.model, p]));
  const prices: ModelPriceView[] = admin.map((p) => {
    const d = defaults.get(p.model);
    return {
      model: p.model,
      input_usd_per_mtok: p.inputUsdPerMtok,
      output_usd_per_mtok: p.outputUsdPerMtok,
      source: "admin",
      updated_at: p.updatedAt.toISOString(),
      updated_by: p.updatedBy,
      default: d ? { input_usd_per_mtok: d.inputUsdPerMtok, output_usd_per_mtok: d.outputUsdPerMtok } : null,
    };
  });
  for (const d of DEFAULT_PRICES) {
    if (admin.some((p) => p.model === d.model)) continue;
    prices.push({
      model: d.model,
      input_usd_per_mtok: d.inputUsdPerMtok,
      output_usd_per_mtok: d.outputUsdPerMtok,
      source: "default",
      updated_at: null,
      updated_by: null,
      default: null,
    });
  }
  prices.sort((a, b) => a.model.localeCompare(b.model));
  return { defaults_as_of: DEFAULT_PRICES_AS_OF, prices };
}
