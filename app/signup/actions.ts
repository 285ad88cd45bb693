"use server";

import { headers } from "next/headers";
import { registerSchema } from "@/lib/accounts/credentials";
import { webAccounts } from "@/lib/accounts/web-accounts";
import { clientIpOf } from "@/lib/http/client-ip";
import { describeIssues, isApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";

export type CreateAccountResult = { ok: true } | { ok: false; code: string; message: string; retryAfterSeconds?: number };

/** The sign-up page's server action: the same rules, limits and errors as POST /api/v1/auth/register. */
export async function createAccount(input: { username: string; password: string; invite?: string }): Promise<CreateAccountResult> {
  const parsed = registerSchema.safeParse({ ...input, invite: input.invite || undefined });
  if (!parsed.success) return { ok: false, code: "invalid_request", message: describeIssues(parsed.error) };
  try {
    await webAccounts().registration.register(parsed.data, clientIpOf(await headers()));
    return { ok: true };
  } catch (err) {
    if (isApiError(err)) {
      const retryAfter = Number(err.headers["retry-after"]);
      return { ok: false, code: err.code, message: err.message, ...(retryAfter ? { retryAfterSeconds: retryAfter } : {}) };
    }
    web().log.error({ err }, "sign-up failed");
    return { ok: false, code: "internal_error", message: "Creating the account failed on our side. Try again." };
  }
}
