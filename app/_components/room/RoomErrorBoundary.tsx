"use client";

import { Component, type ReactNode } from "react";

/**
 * Whatever a room's document or a peer holds, one member's page must not be
 * left blank: the parts that read them check what they show, and should one
 * still throw while rendering, this says so in place of the room and offers
 * a reload, instead of Next's "This page couldn't load".
 */
export class RoomErrorBoundary extends Component<{ children: ReactNode }, { error?: string }> {
  state: { error?: string } = {};

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  componentDidCatch(error: unknown) {
    console.warn("the room view failed to render", error);
  }

  render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <div className="notice" role="alert" data-testid="room-failed">
        <p>This room could not be shown: something in it is not what the page expects.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
