// Validates a new event at the edge (JSON or form body): a title of 1 to 200 characters, start
// and end as ISO 8601 date-times with a time zone, end after start. Every problem is reported at
// once, each naming its field and what to send instead.
import type { CalendarEvent } from './store/calendar-store.js';

export interface Problem {
  field: string;
  message: string;
}

export class EventInputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'EventInputError';
  }
}

const MAX_TITLE = 200;
// ISO 8601 / RFC 3339 §5.6 date-time; a zone is required, so the instant is unambiguous.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;
const DATE_TIME_HINT = 'an ISO 8601 date-time with a time zone, e.g. 2026-05-04T09:30:00Z or 2026-05-04T11:30:00+02:00';

export function parseEventInput(body: unknown): Omit<CalendarEvent, 'id'> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new EventInputError([{ field: 'body', message: 'send a JSON object or a form with title, start and end' }]);
  }
  const fields = body as Record<string, unknown>;
  const problems: Problem[] = [];
  const title = text(fields, 'title', problems)?.trim();
  if (title !== undefined && (title.length === 0 || [...title].length > MAX_TITLE)) {
    problems.push({ field: 'title', message: `must be 1 to ${MAX_TITLE} characters (got ${[...title].length})` });
  }
  const start = instant(fields, 'start', problems);
  const end = instant(fields, 'end', problems);
  if (start !== undefined && end !== undefined && end <= start) {
    problems.push({ field: 'end', message: 'must be after start' });
  }
  if (problems.length > 0 || title === undefined || start === undefined || end === undefined) throw new EventInputError(problems);
  return { title, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

function text(fields: Record<string, unknown>, name: string, problems: Problem[]): string | undefined {
  const value = fields[name];
  if (value === undefined) problems.push({ field: name, message: 'is required' });
  else if (Array.isArray(value)) problems.push({ field: name, message: 'must be sent once' });
  else if (typeof value !== 'string') problems.push({ field: name, message: 'must be a string' });
  else return value;
  return undefined;
}

/** Milliseconds since the epoch, or undefined after recording the problem. */
function instant(fields: Record<string, unknown>, name: string, problems: Problem[]): number | undefined {
  const value = text(fields, name, problems);
  if (value === undefined) return undefined;
  const match = DATE_TIME.exec(value);
  const ms = Date.parse(value);
  if (match === null || Number.isNaN(ms) || !realDate(match)) {
    problems.push({ field: name, message: `must be ${DATE_TIME_HINT}` });
    return undefined;
  }
  return ms;
}

/** Rejects dates like 2026-02-30 or 25:00 that Date.parse would quietly roll over. */
function realDate(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = match.slice(1).map((p) => (p === undefined ? 0 : Number(p)));
  const days = new Date(Date.UTC(year ?? 0, month ?? 0, 0)).getUTCDate();
  return (
    (month ?? 0) >= 1 && (month ?? 0) <= 12 && (day ?? 0) >= 1 && (day ?? 0) <= days &&
    (hour ?? 0) <= 23 && (minute ?? 0) <= 59 && (second ?? 0) <= 59 && (zoneHour ?? 0) <= 23 && (zoneMinute ?? 0) <= 59
  );
}
