import type { Metadata } from "next";
import { Forbidden } from "@/components/forbidden";
import { ModelPricesAdmin } from "@/components/model-prices-admin";
import { appDb } from "@/db/client";
import { listAdminModelPrices } from "@/db/queries/model-prices";
import { roleAtLeast } from "@/lib/auth/roles";
import { modelPriceViews } from "@/lib/model-prices";
import { requireUser } from "../../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Model prices" };

export default async function ModelPricesPage() {
  const me = await requireUser();
  if (!roleAtLeast(me.role, "admin")) return <Forbidden role={me.role} need="admin" what="edit model prices" />;
  const table = modelPriceViews(await listAdminModelPrices(appDb()));
  return (
    <>
      <h1>Model prices</h1>
      <p className="subtitle">
        USD per million tokens. They cost LLM calls that arrive without a cost (OpenTelemetry spans), so session cost limits and kill policies work on them. A
        model is priced by the longest entry its name starts with. Shipped defaults: list prices as of {table.defaults_as_of}.
      </p>
      <ModelPricesAdmin table={table} />
    </>
  );
}
