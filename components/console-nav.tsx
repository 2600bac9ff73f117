"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";

const LINKS: { href: string; label: string; need: Role }[] = [
  { href: "/", label: "Dashboard", need: "viewer" },
  { href: "/alerts", label: "Alerts", need: "viewer" },
  { href: "/incidents", label: "Incidents", need: "viewer" },
  { href: "/agents", label: "Agents", need: "viewer" },
  { href: "/events", label: "Events", need: "viewer" },
  { href: "/runbooks", label: "Runbooks", need: "viewer" },
  { href: "/audit", label: "Audit", need: "analyst" },
  { href: "/api-reference", label: "API", need: "viewer" },
  { href: "/admin/users", label: "Users", need: "admin" },
  { href: "/admin/tokens", label: "API tokens", need: "admin" },
  { href: "/admin/agents", label: "Ingest keys", need: "admin" },
  { href: "/admin/model-prices", label: "Model prices", need: "admin" },
  { href: "/admin/notifications", label: "Notifications", need: "admin" },
];

export function ConsoleNav({ email, role }: { email: string; role: Role }) {
  const pathname = usePathname();
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function signOut() {
    setSigningOut(true);
    const res = await fetch("/api/v1/auth/sign-out", { method: "POST" });
    if (res.ok) {
      router.replace("/sign-in");
      router.refresh();
    } else {
      setSigningOut(false);
      setProblem(`Sign-out failed (${res.status}); your session may still be open`);
    }
  }

  return (
    <>
      <nav aria-label="Main">
        <ul className="nav">
          {LINKS.filter((l) => roleAtLeast(role, l.need)).map((link) => (
            <li key={link.href}>
              <Link href={link.href} aria-current={(link.href === "/" ? pathname === "/" : pathname.startsWith(link.href)) ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="whoami">
        <span>
          {email} · <span className="badge">{role}</span>
        </span>
        <Link href="/account/password">Change password</Link>
        <Link href="/account/second-factor">Two-step sign-in</Link>
        <button type="button" onClick={() => void signOut()} disabled={signingOut}>
          Sign out
        </button>
        {problem && <span role="alert">{problem}</span>}
      </div>
    </>
  );
}
