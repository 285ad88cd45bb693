"use client";

import { useEffect, useState } from "react";
import { Invitation } from "./Invitation";
import { type LinkPreview, previewLink, TOKEN_KEY } from "./invitation";

/**
 * On the sign-in and sign-up pages while a share link waits (they were sent
 * there from /join): which room they are about to join, so it is never a
 * plain form. Shows nothing when no link waits or it no longer works.
 */
export function PendingInvitation() {
  const [preview, setPreview] = useState<LinkPreview>();
  useEffect(() => {
    const token = window.sessionStorage.getItem(TOKEN_KEY);
    if (token) previewLink(token).then(setPreview, () => undefined);
  }, []);
  return preview ? <Invitation preview={preview} /> : null;
}
