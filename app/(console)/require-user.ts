import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { appDb } from "@/db/client";
import { authenticate } from "@/lib/auth";
import type { Actor } from "@/lib/context";

export type ConsoleUser = Extract<Actor, { type: "user" }>;

/** The signed-in person for a console page; anyone else goes to the sign-in page and comes back after. */
export async function requireUser(): Promise<ConsoleUser> {
  const cookieHeader = (await cookies()).toString();
  const who = await authenticate(appDb(), { authorization: null, cookie: cookieHeader });
  if (who?.actor.type === "user") {
    if (who.actor.mustChangePassword) redirect("/account/password");
    return who.actor;
  }
  const path = (await headers()).get("x-console-path") ?? "/agents";
  redirect(`/sign-in?next=${encodeURIComponent(path)}`);
}
