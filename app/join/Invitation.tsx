import type { LinkPreview } from "./invitation";

const WHAT_ROLE_DOES = {
  editor: "an editor: you can change its files and run them",
  viewer: "a viewer: you can watch and read along, not change or run anything",
} as const;

/** Which room a share link invites to, who shared it and with what role: all a signed-out holder is told. */
export function Invitation({ preview }: { preview: LinkPreview }) {
  return (
    <div className="join-invitation" data-testid="join-invitation">
      <p className="join-room-name" data-testid="join-room-name">
        {preview.room.name}
      </p>
      <p data-testid="join-details">
        {preview.sharedBy ? <strong>{preview.sharedBy}</strong> : "Someone"} invites you to this room as {WHAT_ROLE_DOES[preview.role]}.
      </p>
    </div>
  );
}
