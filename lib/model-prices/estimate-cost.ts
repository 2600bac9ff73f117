import type { ModelPrice } from "./default-prices";

export interface PricedModel extends ModelPrice {
  source: "default" | "admin";
}

/** Prices by model, looked up by the longest entry that prefixes the model a span names. */
export interface PriceTable {
  entries: PricedModel[];
}

/** The admin's prices over the shipped defaults, longest model first so the most specific entry wins. */
export function priceTable(defaults: readonly ModelPrice[], adminPrices: readonly ModelPrice[]): PriceTable {
  const byModel = new Map<string, PricedModel>();
  for (const p of defaults) byModel.set(p.model.toLowerCase(), { ...p, model: p.model.toLowerCase(), source: "default" });
  for (const p of adminPrices) byModel.set(p.model.toLowerCase(), { ...p, model: p.model.toLowerCase(), source: "admin" });
  return { entries: [...byModel.values()].sort((a, b) => b.model.length - a.model.length || a.model.localeCompare(b.model)) };
}

/**
 * The price of a model as a span names it: `gpt-4o-2024-08-06` is priced as `gpt-4o`, and a
 * provider prefix (`openai/gpt-4o`, `models/gemini-2.5-pro`) is ignored. An entry matches only at a
 * name boundary, so `o3` does not price `o3x`.
 */
export function priceFor(table: PriceTable, model: string): PricedModel | null {
  let found = lookups.get(table)?.get(model);
  if (found !== undefined) return found;
  const name = (model.split("/").pop() ?? "").trim().toLowerCase();
  found = name ? (table.entries.find((p) => name === p.model || (name.startsWith(p.model) && /[-_:@.]/.test(name.charAt(p.model.length)))) ?? null) : null;
  const seen = lookups.get(table) ?? new Map<string, PricedModel | null>();
  if (seen.size >= LOOKUP_CACHE_LIMIT) seen.clear();
  lookups.set(table, seen.set(model, found));
  return found;
}

// An export's LLM spans name a handful of models: each name is looked up in a table once.
const lookups = new WeakMap<PriceTable, Map<string, PricedModel | null>>();
const LOOKUP_CACHE_LIMIT = 1024;

/** USD for an LLM call's tokens, or null when the model has no price or no token count is known. */
export function estimateCost(table: PriceTable, model: string | null, tokens: { input: number | null; output: number | null }): number | null {
  if (!model || (tokens.input === null && tokens.output === null)) return null;
  const p = priceFor(table, model);
  if (!p) return null;
  return ((tokens.input ?? 0) * p.inputUsdPerMtok + (tokens.output ?? 0) * p.outputUsdPerMtok) / 1_000_000;
}
