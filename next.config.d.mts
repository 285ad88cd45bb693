// Types of what web/direct-routes.ts reads from next.config.mjs (plain JavaScript, which Next.js loads itself).
export declare const securityHeaders: Array<{ key: string; value: string }>;
declare const nextConfig: import("next").NextConfig;
export default nextConfig;
