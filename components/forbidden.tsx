import type { Role } from "@/lib/auth/roles";

export function Forbidden({ role, need, what }: { role: Role; need: Role; what: string }) {
  return (
    <div className="panel empty" role="alert">
      <h1>Not allowed</h1>
      <p>
        Your role, <strong>{role}</strong>, may not {what}. It needs <strong>{need}</strong> or higher; ask an admin.
      </p>
    </div>
  );
}
