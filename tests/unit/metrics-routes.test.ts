import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RouteTemplates, UNMATCHED } from "../../lib/metrics/routes";

describe("route templates for HTTP metrics", () => {
  const routes = new RouteTemplates(
    {
      staticRoutes: [{ page: "/" }, { page: "/api/v1/executions" }],
      dynamicRoutes: [
        { page: "/api/v1/executions/[id]/events", regex: "^/api/v1/executions/([^/]+?)/events(?:/)?$" },
        { page: "/api/v1/executions/[id]", regex: "^/api/v1/executions/([^/]+?)(?:/)?$" },
        { page: "/api/auth/[...nextauth]", regex: "^/api/auth/(.+?)(?:/)?$" },
      ],
    },
    ["icon.svg", "img/logo.png"],
  );

  it.each([
    ["/", "/"],
    ["/?x=1", "/"],
    ["/api/v1/executions", "/api/v1/executions"],
    ["/api/v1/executions/", "/api/v1/executions"],
    ["/api/v1/executions?wait=true", "/api/v1/executions"],
    ["/api/v1/executions/0f9c/events", "/api/v1/executions/[id]/events"],
    ["/api/v1/executions/0f9c", "/api/v1/executions/[id]"],
    ["/api/auth/callback/github?code=x", "/api/auth/[...nextauth]"],
    ["/_next/static/chunks/app-123.js", "/_next/static"],
    ["/_next/image?url=x", "/_next"],
    ["/icon.svg", "/public"],
    ["/img/logo.png", "/public"],
    ["/metrics", "/metrics"],
    ["/wp-login.php", UNMATCHED],
    ["/api/v1/executions/a/b/c", UNMATCHED],
    [undefined, "/"],
  ])("%s → %s", (url, template) => {
    expect(routes.templateOf(url)).toBe(template);
  });

  it("loads a build's routes manifest and the files of public/", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sam-routes-"));
    try {
      fs.mkdirSync(path.join(dir, ".next"));
      fs.mkdirSync(path.join(dir, "public", "img"), { recursive: true });
      fs.writeFileSync(
        path.join(dir, ".next", "routes-manifest.json"),
        JSON.stringify({ staticRoutes: [{ page: "/api/v1/runtimes" }], dynamicRoutes: [{ page: "/rooms/[id]", regex: "^/rooms/([^/]+?)(?:/)?$" }] }),
      );
      fs.writeFileSync(path.join(dir, "public", "img", "logo.png"), "");
      const built = RouteTemplates.load(dir);
      expect(built.templateOf("/rooms/abc")).toBe("/rooms/[id]");
      expect(built.templateOf("/api/v1/runtimes")).toBe("/api/v1/runtimes");
      expect(built.templateOf("/img/logo.png")).toBe("/public");
      expect(built.templateOf("/img/other.png")).toBe(UNMATCHED);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("without a build, every page path is one label", () => {
    const none = RouteTemplates.load("/nonexistent");
    expect(none.templateOf("/api/v1/executions/abc")).toBe(UNMATCHED);
    expect(none.templateOf("/anything/else")).toBe(UNMATCHED);
  });
});
