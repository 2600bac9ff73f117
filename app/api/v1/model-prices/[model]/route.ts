import { respond } from "@/lib/api/operation";
import { modelPricesApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { deleteModelPrice, setModelPrice } from "@/lib/model-prices";
import { setModelPriceBody } from "@/lib/model-prices/schemas";

export const dynamic = "force-dynamic";

/** Sets a model's price: `{"input_usd_per_mtok": 2.5, "output_usd_per_mtok": 10, "reason": "..."}`. */
export const PUT = authedRoute<{ model: string }>(modelPricesApi.set, async ({ req, ctx, params }) => {
  const body = parseOrThrow(setModelPriceBody, await readJson(req));
  return respond(modelPricesApi.set, 200, await setModelPrice({ ctx, input: { model: params.model, body, reason: body.reason } }));
});

/** Removes the admin's price; the shipped default, if any, applies again. */
export const DELETE = authedRoute<{ model: string }>(modelPricesApi.remove, async ({ req, ctx, params }) => {
  const body = await readJson(req);
  return respond(modelPricesApi.remove, 200, await deleteModelPrice({ ctx, input: { model: params.model, reason: reasonOf(body) } }));
});
