import type { Metadata } from "next";
import { SignInForm } from "@/components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only paths on this console: an open redirect would hand a phishing page our sign-in.
  const target = typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/agents";
  return (
    <main>
      <SignInForm next={target} />
    </main>
  );
}
