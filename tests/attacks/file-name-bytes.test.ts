import { describe, expect, it } from "vitest";
import { api, registerUser } from "../support/api";

/**
 * Attack F7, through the API: a file name of 203 characters but 403 bytes in
 * UTF-8 ("é" * 200 + ".py") passed the 255-character check, then failed on
 * the host (ENAMETOOLONG) three times and ended internal_error, throwing a
 * warm container away each time. Linux counts a name's parts in bytes: each
 * must be at most 255 bytes, checked before the run is queued.
 */
describe("attack: file names longer than the kernel allows, counted in bytes (API)", () => {
  const lister = {
    name: "main.py",
    content: "import os\nfor root, _, files in os.walk('.'):\n    for f in files:\n        print(len(os.path.join(root, f)[2:].encode()))",
  };

  it.each([
    ["a name of 203 characters and 403 bytes", "é".repeat(200) + ".py"],
    ["a name of 64 four-byte characters (256 bytes)", "😀".repeat(64)],
    ["a folder part over 255 bytes", `${"€".repeat(86)}/x.py`],
  ])("%s: 400 invalid_request saying that parts count in bytes; nothing is queued", async (_label, name) => {
    const { token } = await registerUser();
    const res = await api("POST", "/api/v1/executions?wait=true", { body: { language: "python", files: [lister, { name, content: "" }] }, token });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.message).toContain("at most 255 bytes in UTF-8");
    const list = await api("GET", "/api/v1/executions", { token });
    expect(list.json.executions).toEqual([]);
  });

  it("names at the limit run: a part of exactly 255 bytes, and a path of several such parts", async () => {
    const { token } = await registerUser();
    const exactly = "é".repeat(126) + ".py"; // 255 bytes
    const nested = `${"é".repeat(126)}/${"ö".repeat(124)}.txt`; // 255 characters: parts of 252 and 252 bytes
    const res = await api("POST", "/api/v1/executions?wait=true", {
      body: { language: "python", files: [lister, { name: exactly, content: "" }, { name: nested, content: "" }] },
      token,
    });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("succeeded");
    expect(res.json.attempts).toBe(1);
    expect(
      res.json.stdout
        .trim()
        .split("\n")
        .map(Number)
        .sort((a: number, b: number) => a - b),
    ).toEqual([7, 255, 505]);
  });
});
