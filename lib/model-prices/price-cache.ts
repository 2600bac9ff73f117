import type { Queryable } from "@/db/client";
import { listAdminModelPrices } from "@/db/queries/model-prices";
import { DEFAULT_PRICES } from "./default-prices";
import { type PriceTable, priceTable } from "./estimate-cost";

/**
 * The price table is read at most every few seconds, not on every export request. An edit made on
 * this instance is seen at once; one made on another instance within CACHE_MS.
 */
const CACHE_MS = 10_000;
let cached: { at: number; table: PriceTable } | null = null;

export async function currentPriceTable(db: Queryable): Promise<PriceTable> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.table;
  const table = priceTable(DEFAULT_PRICES, await listAdminModelPrices(db));
  cached = { at: Date.now(), table };
  return table;
}

export function forgetPriceTable(): void {
  cached = null;
}
