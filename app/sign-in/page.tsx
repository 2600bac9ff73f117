import type { Metadata } from "next";
import { SignInForm } from "@/components/sign-in-form";
import { safeNextPath } from "@/lib/auth/safe-next-path";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <main>
      <SignInForm next={safeNextPath(next)} />
    </main>
  );
}
