import { MessageType } from "@hocuspocus/server";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api, PASSWORD, registerUser, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { addMember, connectRoom, eventually, roomMessage, roomToken } from "../support/rooms";

const browser = useBrowser();

const INJECTION = "red} body *{visibility:hidden} x{";

/**
 * One framed awareness message with several entries, as another collab process relays it over Redis
 * (Hocuspocus's Redis extension: the sender's identifier, then the message).
 */
function relayedAwareness(roomId: string, entries: Array<[clientId: number, state: unknown]>): Buffer {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const [clientId, state] of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, 1);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const message = roomMessage(roomId, MessageType.Awareness, (e) => encoding.writeVarUint8Array(e, encoding.toUint8Array(update)));
  const sender = Buffer.from("host-a-misbehaving-collab-process");
  return Buffer.concat([Buffer.from([sender.length]), sender, message]);
}

describe("a room page and a malicious peer's presence", () => {
  it("presence from a modified client, or relayed broken, neither restyles nor breaks the page", async () => {
    const [owner, peer] = await Promise.all([registerUser(), registerUser()]);
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Presence", language: "python" } });
    const roomId = created.json.id as string;
    await addMember(roomId, owner, peer, "editor");

    const context = await browser().newContext({ viewport: { width: 1366, height: 800 } });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${webUrl()}/signin`);
    await page.getByLabel("Username").fill(owner.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${webUrl()}/`);
    await page.goto(`${webUrl()}/rooms/${roomId}`);
    await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 20_000 }).toContain("Connected");
    await page.locator(".monaco-editor").waitFor({ timeout: 30_000 });

    // The malicious peer's own client: another member's id, a name that is not a string, a colour that closes the CSS rule,
    // and a selection y-monaco could not place.
    const mallory = connectRoom(roomId, () => roomToken(roomId, peer));
    const redis = createRedis(inject("redisUrl"));
    try {
      await mallory.synced;
      mallory.provider.awareness!.setLocalState({
        user: { id: owner.id, name: 42, color: INJECTION },
        selection: { anchor: {}, head: {} },
      });
      await expect.poll(() => page.getByTestId("presence").textContent(), { timeout: 15_000 }).toContain(peer.username);

      // Broken entries relayed as they are (as by a misbehaving collab process): each must be ignored or cleaned by the page itself.
      await redis.publish(
        `sam:collab:room:${roomId}`,
        relayedAwareness(roomId, [
          [777001, { user: { id: "x", name: "Injector", color: INJECTION } }],
          [777002, { user: { id: "y", name: { first: "Not a string" }, color: "#ffffff" } }],
          [777003, { user: { id: "z", name: "Crasher", color: "#123456" }, selection: { anchor: {}, head: {} } }],
          [777004, { user: "nobody" }],
          [777005, "not an object"],
        ]),
      );
      await expect.poll(() => page.getByTestId("presence").textContent(), { timeout: 15_000 }).toContain("Crasher");

      const presence = (await page.getByTestId("presence").textContent()) ?? "";
      expect(presence).toContain(peer.username);
      expect(presence).not.toContain("Injector");
      expect(presence).not.toContain("[object Object]");
      expect(await page.getByTestId("remote-cursor-styles").textContent()).not.toContain("visibility");
      for (const selector of ["body", "[data-testid=presence]", ".monaco-editor", "[data-testid=run]"]) {
        expect(
          await page
            .locator(selector)
            .first()
            .evaluate((el) => getComputedStyle(el).visibility),
        ).toBe("visible");
      }

      // The page still works: typing reaches the peer.
      await page.locator(".monaco-editor .view-lines").click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type("\n# still here", { delay: 15 });
      await eventually("the peer to receive the owner's typing", () => JSON.stringify(mallory.doc.getMap("files").toJSON()).includes("# still here"), 15_000);
      expect(problems).toEqual([]);
    } finally {
      mallory.destroy();
      redis.disconnect();
      await context.close();
    }
  }, 120_000);
});
