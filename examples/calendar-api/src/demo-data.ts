// Demo data for alice (CONTRACTS.md `npm start`). The API knows users only by the `sub` of their
// tokens, so the authorization server's demo seed writes alice's user id to
// `<data dir>/demo-user.json`; the API reads it at start and writes her events and files once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CalendarStore } from './store/calendar-store.js';

/** What the demo seed writes: `{ "sub": "<alice's user id>", "username": "alice" }`. */
export interface DemoUser {
  sub: string;
  username: string;
}

export function demoUserPath(dataDir: string): string {
  return path.join(dataDir, 'demo-user.json');
}

export function readDemoUser(dataDir: string): DemoUser | undefined {
  let saved: Partial<DemoUser>;
  try {
    saved = JSON.parse(readFileSync(demoUserPath(dataDir), 'utf8')) as Partial<DemoUser>;
  } catch {
    return undefined;
  }
  if (typeof saved.sub !== 'string' || saved.sub === '') return undefined;
  return { sub: saved.sub, username: typeof saved.username === 'string' ? saved.username : saved.sub };
}

/** Alice's week: events from tomorrow on, relative to the first start. */
export async function seedDemoData(store: CalendarStore, user: DemoUser, now: Date = new Date()): Promise<boolean> {
  const day = (offset: number, hour: number, minute = 0) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset, hour, minute));
    return d.toISOString();
  };
  const events = [
    { title: 'Tea party with the Mad Hatter', start: day(1, 16), end: day(1, 18) },
    { title: 'Croquet with the Queen of Hearts', start: day(2, 10), end: day(2, 11, 30) },
    { title: 'Follow the White Rabbit', start: day(3, 9), end: day(3, 9, 15) },
  ];
  const files = [
    { name: 'looking-glass-notes.md', size: 2_048, modified: day(-2, 14) },
    { name: 'caterpillar-advice.txt', size: 512, modified: day(-1, 11) },
  ];
  return store.seedOnce(user.sub, events, files, Math.floor(now.getTime() / 1000));
}
