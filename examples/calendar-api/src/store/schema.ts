// The Calendar API's tables. Every row belongs to one user, by the access token's `sub`.
import type { Generated } from 'kysely';

export interface EventsTable {
  id: string;
  sub: string;
  title: string;
  /** ISO 8601 instants in UTC (`Date.toISOString()`), so text order is time order. */
  start: string;
  end: string;
  created_at: number;
}

export interface FilesTable {
  id: string;
  sub: string;
  name: string;
  size: number;
  modified: string;
}

/** Users whose demo data has been written, so a restart does not write it twice. */
export interface DemoSeededTable {
  sub: string;
  seeded_at: Generated<number>;
}

export interface CalendarDatabase {
  events: EventsTable;
  files: FilesTable;
  demo_seeded: DemoSeededTable;
}
