import { systemRoleOf } from "@/lib/accounts/system-roles";
import { requireUser } from "@/lib/auth/session";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { listReceivedInvitations } from "@/lib/rooms/invitations";
import { ROOM_PAGE_DEFAULT } from "@/lib/rooms/requests";
import { countRooms, listRooms } from "@/lib/rooms/rooms";
import { web } from "@/lib/web/context";
import { TopBar } from "./_components/TopBar";
import { ImportRoom } from "./_components/rooms/ImportRoom";
import { NewRoomForm } from "./_components/rooms/NewRoomForm";
import { RoomInvitations } from "./_components/rooms/RoomInvitations";
import { RoomList, type RoomRow } from "./_components/rooms/RoomList";
import { Invites } from "./_components/Invites";
import { SignOutEverywhere } from "./_components/SignOutEverywhere";

const rowOf = (r: { id: string; name: string; language: string; role: RoomRow["role"]; members: number; updatedAt: Date }): RoomRow => ({
  id: r.id,
  name: r.name,
  language: r.language,
  role: r.role,
  members: r.members,
  updatedAt: r.updatedAt.toISOString(),
});

/**
 * The workspace: invitations waiting for my answer, my rooms with my role in
 * each (one page at a time: the page stays small however many rooms there
 * are), and a new room from a language template.
 */
export default async function WorkspacePage() {
  const user = await requireUser("/");
  const { db, redis, config } = web();
  const [page, total, invitations, runtimes, systemRole] = await Promise.all([
    listRooms(db, user.id, { limit: ROOM_PAGE_DEFAULT }),
    countRooms(db, user.id),
    listReceivedInvitations(db, user.id),
    availableRuntimes(redis),
    systemRoleOf(db, user.id),
  ]);
  return (
    <>
      <TopBar username={user.username} admin={systemRole === "admin"} />
      <main className="workspace">
        <h1>Your workspace</h1>
        {invitations.total > 0 && (
          <section aria-labelledby="room-invitations">
            <h2 id="room-invitations">Invitations</h2>
            <RoomInvitations
              invitations={invitations.invitations.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }))}
              total={invitations.total}
            />
          </section>
        )}
        <section aria-labelledby="new-room">
          <h2 id="new-room">New room</h2>
          <NewRoomForm languages={runtimes.map(({ language, version }) => ({ language, version }))} />
        </section>
        <section aria-labelledby="import-room">
          <h2 id="import-room">New room from a zip</h2>
          <ImportRoom languages={runtimes.map(({ language, version }) => ({ language, version }))} />
        </section>
        <section aria-labelledby="my-rooms">
          <h2 id="my-rooms">Your rooms</h2>
          <RoomList rooms={page.rooms.map(rowOf)} nextCursor={page.nextCursor} total={total} />
        </section>
        {config.SAM_REGISTRATION === "invite" && (
          <section aria-labelledby="invites">
            <h2 id="invites">Invite someone</h2>
            <Invites />
          </section>
        )}
        <section aria-labelledby="account">
          <h2 id="account">Your account</h2>
          <SignOutEverywhere />
        </section>
      </main>
    </>
  );
}
