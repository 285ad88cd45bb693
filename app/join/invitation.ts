import { api } from "../_components/room/api";

/** Where the share link's token waits while its holder signs in or up (a redirect would drop the URL's fragment). */
export const TOKEN_KEY = "sam:join-token";

/** What the link grants, as POST /api/v1/share-links/preview tells it. */
export interface LinkPreview {
  room: { name: string };
  role: "viewer" | "editor";
  sharedBy: string | null;
}

export const previewLink = (token: string) => api<LinkPreview>("/api/v1/share-links/preview", { method: "POST", body: { token } });
