"use client";

import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

/**
 * Monaco comes from the app's own bundle, never a CDN: @monaco-editor/react
 * is pointed at the installed monaco-editor package, and Monaco's web workers
 * are bundled too (loaded from this origin, as the CSP requires).
 */
window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === "typescript" || label === "javascript") {
      return new Worker(new URL("monaco-editor/esm/vs/language/typescript/ts.worker.js", import.meta.url), { type: "module" });
    }
    if (label === "json") return new Worker(new URL("monaco-editor/esm/vs/language/json/json.worker.js", import.meta.url), { type: "module" });
    return new Worker(new URL("monaco-editor/esm/vs/editor/editor.worker.js", import.meta.url), { type: "module" });
  },
};

loader.config({ monaco });

/**
 * Monaco cancels its own pending work (delayed highlights, view-state
 * restores) when an editor or model goes away, and in several paths the
 * cancellation escapes as an uncaught "Canceled" error or rejection
 * (microsoft/monaco-editor#4859, #4904, #5135): nothing is broken, but the
 * page reports an error. Only that exact signature is swallowed; anything
 * else goes on as before.
 */
const isMonacoCancellation = (value: unknown) => value instanceof Error && value.name === "Canceled" && value.message === "Canceled";
window.addEventListener(
  "error",
  (event) => {
    if (!isMonacoCancellation(event.error)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
  },
  true,
);
window.addEventListener("unhandledrejection", (event) => {
  if (isMonacoCancellation(event.reason)) event.preventDefault();
});

export { monaco };
