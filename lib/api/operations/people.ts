import { z } from "zod";
import { changePasswordInput } from "@/lib/auth/change-password";
import {
  apiTokenViewSchema,
  createApiTokenBody,
  createdApiTokenSchema,
  createdUserSchema,
  createUserInput,
  optionalReasonBody,
  passwordResetSchema,
  revokedApiTokenSchema,
  signedInSchema,
  signInInput,
  updatedUserSchema,
  updateUserBody,
  userViewSchema,
  whoAmISchema,
} from "@/lib/auth/schemas";
import { jsonBody as json, operation } from "../operation";

export const authApi = {
  signIn: operation({
    method: "POST",
    path: "/api/v1/auth/sign-in",
    tag: "Sign-in",
    summary: "Sign in with e-mail and password",
    description:
      "Sets the session cookie (httpOnly, SameSite=Lax, Secure over HTTPS). Wrong attempts lock the account for a while; each address has its own limit too.",
    access: "public",
    body: json(signInInput),
    responses: { 200: { description: "Signed in", schema: signedInSchema, headers: { "Set-Cookie": "soc_session=…: the browser session" } } },
    errors: { 401: "wrong e-mail or password, or the account is disabled or locked", 429: "too many sign-in attempts from this address" },
  }),
  signOut: operation({
    method: "POST",
    path: "/api/v1/auth/sign-out",
    tag: "Sign-in",
    summary: "End this browser session",
    access: "viewer",
    sessionOnly: true,
    responses: { 200: { description: "Signed out; the cookie is cleared", schema: z.object({ signed_out: z.literal(true) }) } },
  }),
  me: operation({
    method: "GET",
    path: "/api/v1/auth/me",
    tag: "Sign-in",
    summary: "Who is calling, with which role and rights",
    access: "viewer",
    responses: { 200: { description: "The caller", schema: whoAmISchema } },
  }),
  changePassword: operation({
    method: "POST",
    path: "/api/v1/auth/password",
    tag: "Sign-in",
    summary: "Change your own password",
    description: "Ends your other sessions. A wrong current password counts towards the account's lock-out.",
    access: "viewer",
    sessionOnly: true,
    body: json(changePasswordInput),
    responses: { 200: { description: "Changed", schema: z.object({ changed: z.literal(true) }) } },
  }),
};

const userParams = z.object({ userId: z.uuid() });
const tokenParams = z.object({ tokenId: z.uuid() });

export const usersApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/users",
    tag: "People and tokens",
    summary: "List people",
    access: "admin",
    responses: { 200: { description: "Every person", schema: z.object({ users: z.array(userViewSchema) }) } },
  }),
  create: operation({
    method: "POST",
    path: "/api/v1/users",
    tag: "People and tokens",
    summary: "Add a person",
    description: "Without a password the answer holds a one-time password, shown once; it must be changed at first sign-in.",
    access: "admin",
    body: json(createUserInput),
    responses: { 201: { description: "Added", schema: createdUserSchema } },
    errors: { 409: "someone already has that e-mail address" },
  }),
  update: operation({
    method: "PATCH",
    path: "/api/v1/users/{userId}",
    tag: "People and tokens",
    summary: "Change a person's role, or disable them",
    access: "admin",
    params: userParams,
    body: json(updateUserBody),
    responses: { 200: { description: "Changed", schema: updatedUserSchema } },
    errors: { 404: "no such person", 409: "the change would leave no active admin" },
  }),
  resetPassword: operation({
    method: "POST",
    path: "/api/v1/users/{userId}/reset-password",
    tag: "People and tokens",
    summary: "Give a person a new one-time password",
    access: "admin",
    params: userParams,
    body: json(optionalReasonBody),
    responses: { 200: { description: "Reset; their sessions end", schema: passwordResetSchema } },
    errors: { 404: "no such person" },
  }),
};

export const tokensApi = {
  list: operation({
    method: "GET",
    path: "/api/v1/tokens",
    tag: "People and tokens",
    summary: "List API tokens",
    access: "admin",
    responses: { 200: { description: "Every token, never its secret", schema: z.object({ tokens: z.array(apiTokenViewSchema) }) } },
  }),
  create: operation({
    method: "POST",
    path: "/api/v1/tokens",
    tag: "People and tokens",
    summary: "Make an API token",
    description: "A token acts with at most the rights of whoever made it, now and later.",
    access: "admin",
    body: json(createApiTokenBody),
    responses: { 201: { description: "Made; the token is in this answer only", schema: createdApiTokenSchema } },
    errors: { 409: "a token made by tokens would be deeper than the chain allows" },
  }),
  revoke: operation({
    method: "DELETE",
    path: "/api/v1/tokens/{tokenId}",
    tag: "People and tokens",
    summary: "Revoke an API token and the tokens it made",
    access: "admin",
    params: tokenParams,
    body: json(optionalReasonBody),
    responses: { 200: { description: "Revoked", schema: revokedApiTokenSchema } },
    errors: { 404: "no live token with that id" },
  }),
};
