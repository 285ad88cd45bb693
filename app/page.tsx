import { requireUser } from "@/lib/auth/session";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { listRooms } from "@/lib/rooms/rooms";
import { web } from "@/lib/web/context";
import { TopBar } from "./_components/TopBar";
import { NewRoomForm } from "./_components/rooms/NewRoomForm";
import { RoomList } from "./_components/rooms/RoomList";
import { Invites } from "./_components/Invites";

/** The workspace: my rooms with my role in each, and a new room from a language template. */
export default async function WorkspacePage() {
  const user = await requireUser("/");
  const { db, redis, config } = web();
  const [rooms, runtimes] = await Promise.all([listRooms(db, user.id), availableRuntimes(redis)]);
  return (
    <>
      <TopBar username={user.username} />
      <main className="workspace">
        <h1>Your workspace</h1>
        <section aria-labelledby="new-room">
          <h2 id="new-room">New room</h2>
          <NewRoomForm languages={runtimes.map(({ language, version }) => ({ language, version }))} />
        </section>
        <section aria-labelledby="my-rooms">
          <h2 id="my-rooms">Your rooms</h2>
          <RoomList rooms={rooms.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString(), createdAt: undefined }))} />
        </section>
        {config.SAM_REGISTRATION === "invite" && (
          <section aria-labelledby="invites">
            <h2 id="invites">Invite someone</h2>
            <Invites />
          </section>
        )}
      </main>
    </>
  );
}
