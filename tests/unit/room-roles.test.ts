import { describe, expect, it } from "vitest";
import { can, GRANTABLE_ROLES, isRole, ROLES, type RoomAction } from "../../lib/rooms/roles";

// The table in lib/rooms/roles.ts, row by row: every page, route, stream and socket asks `can`.
const TABLE: Record<RoomAction, Record<string, boolean>> = {
  read: { viewer: true, editor: true, owner: true },
  edit: { viewer: false, editor: true, owner: true },
  run: { viewer: false, editor: true, owner: true },
  manage: { viewer: false, editor: false, owner: true },
};

describe("room roles", () => {
  it.each(Object.keys(TABLE) as RoomAction[])("%s is allowed exactly as the table says", (action) => {
    for (const role of ROLES) expect([role, can(role, action)]).toEqual([role, TABLE[action][role]]);
  });

  it("recognises only the three roles, whatever else arrives", () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ["admin", "Owner", "", " owner", null, undefined, 1, {}, ["owner"]]) expect(isRole(other)).toBe(false);
  });

  it("never hands out ownership by invitation or link", () => {
    expect(GRANTABLE_ROLES).not.toContain("owner");
    for (const role of GRANTABLE_ROLES) expect(isRole(role)).toBe(true);
  });
});
