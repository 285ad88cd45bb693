import path from "node:path";
import { ensureRootfs, ensureRuntimeImage } from "../runner/images/runtime-image";

// Builds the sandbox runtime image (and its unpacked root filesystem) ahead of
// the test suite, so the first test run on a new machine shows this progress
// instead of spending minutes inside a test hook. Usage: build-sandbox.ts <sandbox dir>
const sandboxDir = process.argv[2] ?? process.env.SAM_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";
const log = (m: string) => process.stderr.write(`[sandbox] ${m}\n`);
const tag = await ensureRuntimeImage({ engine: process.env.SAM_CONTAINER_ENGINE ?? "podman", log });
const rootfs = await ensureRootfs({ engine: process.env.SAM_CONTAINER_ENGINE ?? "podman", log }, tag, path.join(sandboxDir, "images"));
log(`ready: ${tag} at ${rootfs}`);
