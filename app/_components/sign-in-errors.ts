/** Turns the codes authorize() reports (lib/auth/options.ts) into what people read. */
export function signInErrorMessage(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  if (code.startsWith("rate_limited")) {
    const seconds = Number(code.split(":")[1] ?? "60");
    const minutes = Math.ceil(seconds / 60);
    return `Too many sign-in attempts. Try again in ${minutes > 1 ? `${minutes} minutes` : "a minute"}.`;
  }
  switch (code) {
    case "invalid_credentials":
    case "CredentialsSignin":
      return "Wrong username or password.";
    case "OAuthAccountNotLinked":
    case "OAuthSignin":
    case "OAuthCallback":
      return "Signing in with that provider failed. Try again, or use your username and password.";
    case "busy":
      return "The server is busy right now. Try again in a few seconds.";
    case "SessionRequired":
      return "Please sign in to continue.";
    default:
      return "Signing in failed. Please try again.";
  }
}
