import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { SecondFactorForm } from "@/components/second-factor-form";
import { appDb } from "@/db/client";
import { authenticate } from "@/lib/auth";
import { isSecurePage } from "../../(console)/require-user";

export const metadata: Metadata = { title: "Two-step sign-in" };
export const dynamic = "force-dynamic";

export default async function SecondFactorPage() {
  const who = await authenticate(appDb(), { authorization: null, cookie: (await cookies()).toString(), secure: await isSecurePage() });
  if (who?.actor.type !== "user") redirect("/sign-in?next=%2Faccount%2Fsecond-factor");
  return (
    <main>
      <SecondFactorForm email={who.actor.email} />
    </main>
  );
}
