import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { appDb } from "@/db/client";
import { authenticate } from "@/lib/auth";
import type { Actor } from "@/lib/context";

/** Whether the browser reached this page over HTTPS, as the proxy chain or Next.js reports it. */
export async function isSecurePage(): Promise<boolean> {
  return ((await headers()).get("x-forwarded-proto") ?? "http").split(",")[0]?.trim() === "https";
}

export type ConsoleUser = Extract<Actor, { type: "user" }>;

/** The signed-in person for a console page; anyone else goes to the sign-in page and comes back after. */
export async function requireUser(): Promise<ConsoleUser> {
  const cookieHeader = (await cookies()).toString();
  const who = await authenticate(appDb(), { authorization: null, cookie: cookieHeader, secure: await isSecurePage() });
  if (who?.actor.type === "user") {
    if (who.actor.mustChangePassword) redirect("/account/password");
    return who.actor;
  }
  const path = (await headers()).get("x-console-path") ?? "/agents";
  redirect(`/sign-in?next=${encodeURIComponent(path)}`);
}
