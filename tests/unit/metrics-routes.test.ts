import { describe, expect, it } from "vitest";
import { RouteTemplates, UNMATCHED } from "../../lib/metrics/routes";
import { ROOT } from "../support/stack";

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

  it("reads the templates of the real build", () => {
    const built = RouteTemplates.load(ROOT);
    expect(built.templateOf("/api/v1/executions/abc")).toBe("/api/v1/executions/[id]");
    expect(built.templateOf("/api/v1/runtimes")).toBe("/api/v1/runtimes");
  });

  it("without a build, every page path is one label", () => {
    const none = RouteTemplates.load("/nonexistent");
    expect(none.templateOf("/api/v1/executions/abc")).toBe(UNMATCHED);
    expect(none.templateOf("/anything/else")).toBe(UNMATCHED);
  });
});
