import { web } from "../web/context";
import { PasswordHasher } from "./password-hasher";
import { Registration } from "./registration";

/**
 * The accounts machinery of one web process, made once (like web()): the
 * argon2 slots every sign-up and sign-in shares, and the registration rules.
 */
export interface WebAccounts {
  passwords: PasswordHasher;
  registration: Registration;
  /** Days a token issued by sign-up or login lasts unless the login asks for fewer. */
  tokenDays: number;
}

const holder = globalThis as typeof globalThis & { __samAccounts?: WebAccounts };

export function webAccounts(): WebAccounts {
  if (!holder.__samAccounts) {
    const { config, db, redis } = web();
    const passwords = new PasswordHasher(config.SAM_PASSWORD_HASH_CONCURRENCY);
    holder.__samAccounts = {
      passwords,
      registration: new Registration({ db, redis, passwords, adminNames: config.SAM_ADMINS }, config.SAM_REGISTRATION, {
        maxPerIp: config.SAM_REGISTER_MAX_PER_IP,
        windowSeconds: config.SAM_REGISTER_WINDOW_SECONDS,
      }),
      tokenDays: config.SAM_API_TOKEN_DAYS,
    };
  }
  return holder.__samAccounts;
}
