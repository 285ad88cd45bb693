import type { NextAuthOptions } from "next-auth";
import { cookies } from "next/headers";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, signDeviceCookie, trustedDevice } from "../accounts/device-cookies";
import { authenticate } from "../accounts/login";
import { userForOAuth } from "../accounts/oauth";
import { loginSchema } from "../accounts/credentials";
import { webAccounts } from "../accounts/web-accounts";
import { isApiError } from "../http/errors";
import { clientIpOf } from "../http/client-ip";
import { web } from "../web/context";
import { safeAbsoluteCallbackUrl } from "./callback-url";
import { endWebSession, SESSION_DAYS, startWebSession, webSessionUser } from "./web-sessions";

/**
 * next-auth for the web pages: username + password (the same rate-limited
 * check as the API), plus GitHub when GITHUB_ID and GITHUB_SECRET are set.
 * Sessions are signed JWTs in an httpOnly, SameSite=Lax cookie (Secure, with
 * the __Secure- prefix, when SAM_PUBLIC_URL is https). Each JWT names a
 * WebSession record (web-sessions.ts): signing out deletes it, so the cookie,
 * and any copy of it, stops working on the server too.
 *
 * authorize() reports failures as error codes ("invalid_credentials",
 * "rate_limited:<seconds>", "busy") that the sign-in form turns into messages.
 */
const holder = globalThis as typeof globalThis & { __samAuthOptions?: NextAuthOptions };

export function authOptions(): NextAuthOptions {
  if (holder.__samAuthOptions) return holder.__samAuthOptions;
  const ctx = web();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "password",
      credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = loginSchema.safeParse({ username: credentials?.username, password: credentials?.password });
        if (!parsed.success) throw new Error("invalid_credentials");
        try {
          const jar = await cookies();
          const user = await authenticate(
            { db: ctx.db, limiter: ctx.loginLimiter, passwords: webAccounts().passwords },
            parsed.data,
            clientIpOf((req?.headers ?? {}) as Record<string, string>),
            await trustedDevice(ctx, jar.get(DEVICE_COOKIE)?.value, parsed.data.username),
          );
          // This browser knew the password: it may still sign in while the account refuses unknown networks.
          jar.set(DEVICE_COOKIE, await signDeviceCookie(ctx.secret, user.username), {
            path: "/api",
            maxAge: DEVICE_COOKIE_DAYS * 24 * 3600,
            httpOnly: true,
            sameSite: "lax",
            secure: ctx.config.publicUrl.startsWith("https:"),
          });
          return { id: user.id, name: user.username };
        } catch (err) {
          if (isApiError(err) && err.code === "rate_limited") {
            throw new Error(`rate_limited:${err.headers["retry-after"] ?? "60"}`);
          }
          if (isApiError(err)) throw new Error(err.code);
          ctx.log.error({ err }, "sign-in failed");
          throw new Error("unavailable");
        }
      },
    }),
  ];
  if (ctx.config.githubOAuth) {
    providers.push(GitHubProvider(ctx.config.githubOAuth));
  }
  holder.__samAuthOptions = {
    secret: process.env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_DAYS * 24 * 3600 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      // next-auth's default lets "/\t/evil.com"-style values through string checks; ours parses them.
      async redirect({ url, baseUrl }) {
        return safeAbsoluteCallbackUrl(url, baseUrl);
      },
      async jwt({ token, user, account, profile }) {
        if (account && account.provider !== "credentials") {
          const login = (profile as { login?: string } | undefined)?.login ?? user?.name ?? undefined;
          const local = await userForOAuth(ctx.db, account.provider, account.providerAccountId, login, ctx.config.SAM_ADMINS);
          token.sub = local.id;
          token.name = local.username;
        } else if (user) {
          token.sub = user.id;
          token.name = user.name;
        }
        // A sign-in (not a later read of the session): its record on the server.
        if (user && token.sub) token.sid = await startWebSession(ctx.db, token.sub);
        return token;
      },
      // Runs for every read of the session (pages, API calls with the cookie): a sign-in that ended is no session.
      async session({ session, token }) {
        const user = await webSessionUser(ctx.db, token.sid, token.sub);
        if (!user) return { expires: session.expires } as typeof session;
        session.user = { id: user.id, name: user.username };
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        await endWebSession(ctx.db, token?.sid);
      },
    },
    // next-auth's own logger may print request metadata; log only the code and message.
    logger: {
      error: (code, meta) => ctx.log.error({ code, message: (meta as Error)?.message }, "next-auth error"),
      warn: (code) => ctx.log.warn({ code }, "next-auth warning"),
      debug: () => undefined,
    },
  };
  return holder.__samAuthOptions;
}
