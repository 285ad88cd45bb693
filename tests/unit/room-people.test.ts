import { describe, expect, it } from "vitest";
import { groupPeople } from "../../app/_components/room/people";
import type { Peer } from "../../app/_components/room/usePresence";

const tab = (clientId: number, id: string, name: string, extra: Partial<Peer> = {}): Peer => ({
  clientId,
  id,
  name,
  color: "#123456",
  self: false,
  mine: false,
  movedAt: 0,
  ...extra,
});

describe("the room's people list", () => {
  it("lists each person once, me first, then by name, whatever order the tabs come in", () => {
    const people = groupPeople([
      tab(5, "u-bob", "bob"),
      tab(1, "u-me", "me", { self: true, mine: true }),
      tab(7, "u-al", "al"),
      tab(9, "u-me", "me", { mine: true }),
      tab(6, "u-bob", "bob"),
    ]);
    expect(people.map((p) => [p.name, p.tabs.length, p.mine])).toEqual([
      ["me", 2, true],
      ["al", 1, false],
      ["bob", 2, false],
    ]);
  });

  it("puts the tab a person moved last first: it says where they are and is the one to follow", () => {
    const [bob] = groupPeople([tab(5, "u-bob", "bob", { movedAt: 100, fileId: "a" }), tab(6, "u-bob", "bob", { movedAt: 300, fileId: "b" })]);
    expect(bob!.tabs.map((t) => t.clientId)).toEqual([6, 5]);
    expect(bob!.tabs[0]!.fileId).toBe("b");
  });

  it("two people with the same name stay two people", () => {
    expect(groupPeople([tab(1, "u-1", "sam"), tab(2, "u-2", "sam")])).toHaveLength(2);
  });
});
