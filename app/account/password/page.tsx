import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/change-password-form";
import { appDb } from "@/db/client";
import { authenticate } from "@/lib/auth";
import { isSecurePage } from "../../(console)/require-user";

export const metadata: Metadata = { title: "Change password" };
export const dynamic = "force-dynamic";

export default async function ChangePasswordPage() {
  const who = await authenticate(appDb(), { authorization: null, cookie: (await cookies()).toString(), secure: await isSecurePage() });
  if (who?.actor.type !== "user") redirect("/sign-in?next=%2Faccount%2Fpassword");
  return (
    <main>
      <ChangePasswordForm email={who.actor.email} required={who.actor.mustChangePassword === true} />
    </main>
  );
}
