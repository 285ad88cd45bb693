import fs from "node:fs";
import path from "node:path";
import { METRICS_PATH } from "./endpoint";

/** Paths no route of the app answers (404s, probes): one label for all of them, whatever was asked. */
export const UNMATCHED = "unmatched";

interface RoutesManifest {
  staticRoutes?: Array<{ page: string }>;
  dynamicRoutes?: Array<{ page: string; regex: string }>;
}

/**
 * Maps a request path to the Next.js route template that serves it
 * (/api/v1/executions/abc → /api/v1/executions/[id]), so HTTP metrics have a
 * label per route, never per path: a label per path would let every client
 * make a new series. The templates come from the build's routes-manifest.json;
 * Next's own assets and the files of public/ get one label per kind.
 */
export class RouteTemplates {
  private readonly exact = new Map<string, string>();
  private readonly dynamic: Array<{ page: string; regex: RegExp }> = [];

  constructor(manifest: RoutesManifest, publicFiles: string[] = []) {
    for (const { page } of manifest.staticRoutes ?? []) this.exact.set(page, page);
    // In the manifest's order: Next sorts them most specific first, as its router matches them.
    for (const { page, regex } of manifest.dynamicRoutes ?? []) this.dynamic.push({ page, regex: new RegExp(regex) });
    for (const file of publicFiles) this.exact.set(`/${file}`, "/public");
    // Answered by the web server itself, before Next.js.
    this.exact.set(METRICS_PATH, METRICS_PATH);
  }

  /** The build's templates (dir: the app's root, where .next/ is); none when there is no build. */
  static load(dir: string): RouteTemplates {
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, ".next", file), "utf8")) as RoutesManifest;
    let manifest: RoutesManifest = {};
    try {
      manifest = read("routes-manifest.json");
    } catch {
      // No build (next dev, tests of this class): every page path is UNMATCHED.
    }
    let publicFiles: string[] = [];
    try {
      publicFiles = fs
        .readdirSync(path.join(dir, "public"), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(path.join(dir, "public"), path.join(e.parentPath, e.name)).split(path.sep).join("/"));
    } catch {
      // No public/ folder.
    }
    return new RouteTemplates(manifest, publicFiles);
  }

  /** The template for a request URL (its query ignored). */
  templateOf(url: string | undefined): string {
    let pathname = (url ?? "/").split("?")[0]!;
    if (pathname.startsWith("/_next/static/")) return "/_next/static";
    if (pathname.startsWith("/_next/")) return "/_next";
    if (pathname.length > 1 && pathname.endsWith("/")) pathname = pathname.slice(0, -1);
    const exact = this.exact.get(pathname);
    if (exact) return exact;
    for (const { page, regex } of this.dynamic) if (regex.test(pathname)) return page;
    return UNMATCHED;
  }
}
