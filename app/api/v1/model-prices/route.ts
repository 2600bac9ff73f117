import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { listModelPrices } from "@/lib/model-prices";

export const dynamic = "force-dynamic";

/** The prices that cost LLM calls arriving without a cost: admins' prices over the shipped defaults. */
export const GET = authedRoute("viewer", async ({ ctx }) => json(await listModelPrices({ ctx })));
