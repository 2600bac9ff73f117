import { respond } from "@/lib/api/operation";
import { modelPricesApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { listModelPrices } from "@/lib/model-prices";

export const dynamic = "force-dynamic";

/** The prices that cost LLM calls arriving without a cost: admins' prices over the shipped defaults. */
export const GET = authedRoute(modelPricesApi.list, async ({ ctx }) => respond(modelPricesApi.list, 200, await listModelPrices({ ctx })));
