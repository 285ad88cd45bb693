/**
 * Next.js configuration. Security headers that do not depend on the request
 * live here; the per-request Content-Security-Policy (with its nonce) is set
 * in proxy.ts.
 * @type {import('next').NextConfig}
 */
export const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
];

const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native or connection-holding modules run from node_modules instead of being bundled.
  serverExternalPackages: ["argon2", "pino", "pg", "@prisma/adapter-pg", "ioredis", "rate-limiter-flexible", "bullmq"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
