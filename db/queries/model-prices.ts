import { asc } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { modelPrices } from "@/db/schema";

export interface AdminModelPrice {
  model: string;
  inputUsdPerMtok: number;
  outputUsdPerMtok: number;
  updatedAt: Date;
  updatedBy: string;
}

/** The prices admins set, by model. */
export async function listAdminModelPrices(db: Queryable): Promise<AdminModelPrice[]> {
  return db.select().from(modelPrices).orderBy(asc(modelPrices.model));
}
