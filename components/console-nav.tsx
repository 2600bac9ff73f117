"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { type Role, roleAtLeast } from "@/lib/auth/roles";
import { Badge } from "./ui/badge";
import { Button } from "./ui/button";
import { Notice } from "./ui/notice";
import { useAction } from "./ui/use-action";

type NavLink = { href: string; label: string; need: Role };

const LINKS: NavLink[] = [
  { href: "/", label: "Dashboard", need: "viewer" },
  { href: "/alerts", label: "Alerts", need: "viewer" },
  { href: "/incidents", label: "Incidents", need: "viewer" },
  { href: "/agents", label: "Agents", need: "viewer" },
  { href: "/events", label: "Events", need: "viewer" },
  { href: "/policies", label: "Policies", need: "viewer" },
  { href: "/runbooks", label: "Runbooks", need: "viewer" },
  { href: "/rotations", label: "Rotations", need: "analyst" },
  { href: "/audit", label: "Audit", need: "analyst" },
  { href: "/api-reference", label: "API", need: "viewer" },
];

// Grouped so the bar fits one line at desk width; on a phone they are listed in the menu.
const ADMIN_LINKS: NavLink[] = [
  { href: "/admin/users", label: "Users", need: "admin" },
  { href: "/admin/tokens", label: "API tokens", need: "admin" },
  { href: "/admin/agents", label: "Ingest keys", need: "admin" },
  { href: "/admin/model-prices", label: "Model prices", need: "admin" },
  { href: "/admin/notifications", label: "Notifications", need: "admin" },
];

const current = (href: string, pathname: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href));

export function ConsoleNav({ email, role }: { email: string; role: Role }) {
  const pathname = usePathname();
  const router = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const [adminOpen, setAdminOpen] = useState(false);
  const signOut = useAction({
    method: "POST",
    url: "/api/v1/auth/sign-out",
    onDone: () => {
      router.replace("/sign-in");
      router.refresh();
    },
  });
  const admin = ADMIN_LINKS.filter((l) => roleAtLeast(role, l.need));

  // A link followed closes the menus.
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname is the trigger
  useEffect(() => {
    setMenuOpen(false);
    setAdminOpen(false);
  }, [pathname]);

  const link = (l: NavLink) => (
    <li key={l.href}>
      <Link href={l.href} aria-current={current(l.href, pathname) ? "page" : undefined}>
        {l.label}
      </Link>
    </li>
  );

  return (
    <div className={menuOpen ? "nav-area open" : "nav-area"}>
      <Button className="menu-button" aria-expanded={menuOpen} aria-controls="console-menu" onClick={() => setMenuOpen((o) => !o)}>
        {menuOpen ? "Close" : "Menu"}
      </Button>
      <div className="nav-panel" id="console-menu">
        <nav aria-label="Main">
          <ul className="nav">
            {LINKS.filter((l) => roleAtLeast(role, l.need)).map(link)}
            {admin.length > 0 && (
              <li className={adminOpen ? "nav-group open" : "nav-group"}>
                <Button
                  className="nav-group-button"
                  aria-expanded={adminOpen}
                  aria-controls="admin-links"
                  aria-current={admin.some((l) => current(l.href, pathname)) ? "page" : undefined}
                  onClick={() => setAdminOpen((o) => !o)}
                >
                  Admin
                </Button>
                <ul id="admin-links" className="nav-sub">
                  {admin.map(link)}
                </ul>
              </li>
            )}
          </ul>
        </nav>
        <div className="whoami">
          <Link
            href="/account"
            className="whoami-user"
            title={`${email}: your account, sessions, password and two-step sign-in`}
            aria-current={pathname.startsWith("/account") ? "page" : undefined}
          >
            {email}
          </Link>
          <Badge>{role}</Badge>
          <Button onClick={() => void signOut.run({})} busy={signOut.busy}>
            Sign out
          </Button>
          <Notice kind="error">{signOut.error && `Sign-out failed (${signOut.error}); your session may still be open`}</Notice>
        </div>
      </div>
    </div>
  );
}
