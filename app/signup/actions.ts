"use server";

import { credentialsSchema } from "@/lib/accounts/credentials";
import { createUser } from "@/lib/accounts/users";
import { describeIssues, isApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";

export type CreateAccountResult = { ok: true } | { ok: false; code: string; message: string };

/** The sign-up page's server action: the same rules and errors as POST /api/v1/auth/register. */
export async function createAccount(input: { username: string; password: string }): Promise<CreateAccountResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: "invalid_request", message: describeIssues(parsed.error) };
  try {
    await createUser(web().db, parsed.data);
    return { ok: true };
  } catch (err) {
    if (isApiError(err)) return { ok: false, code: err.code, message: err.message };
    web().log.error({ err }, "sign-up failed");
    return { ok: false, code: "internal_error", message: "Creating the account failed on our side. Try again." };
  }
}
