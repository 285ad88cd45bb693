import type { Peer } from "./usePresence";

/** One person in the room, however many tabs they have open. */
export interface Person {
  userId: string;
  name: string;
  color: string;
  /** The signed-in user (from this tab or another one of theirs). */
  mine: boolean;
  /** Their open tabs, the one that moved last first: it says where they are and is the one to follow. */
  tabs: Peer[];
}

/**
 * Awareness has one entry per open tab; people want one line per person.
 * Groups tabs by user id, me first, then by name.
 */
export function groupPeople(peers: Peer[]): Person[] {
  const byUser = new Map<string, Person>();
  for (const peer of peers) {
    const person = byUser.get(peer.id) ?? { userId: peer.id, name: peer.name, color: peer.color, mine: false, tabs: [] };
    person.mine ||= peer.mine;
    person.tabs.push(peer);
    byUser.set(peer.id, person);
  }
  const people = [...byUser.values()];
  for (const p of people) p.tabs.sort((a, b) => b.movedAt - a.movedAt || Number(b.self) - Number(a.self) || a.clientId - b.clientId);
  return people.sort((a, b) => Number(b.mine) - Number(a.mine) || a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}
