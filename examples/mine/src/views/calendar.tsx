// "Your calendar": the events from the API, and a form to add one, or, when the user did not
// grant calendar.write, a button that asks Latchkey for that permission alone.
import type { CalendarEvent } from '../types.js';
import { Layout, type Frame } from './layout.js';

export interface CalendarView {
  frame: Frame & { csrfToken: string };
  events: CalendarEvent[] | null;
  canWrite: boolean;
  problem?: string | null;
  defaults: { start: string; end: string };
}

export function CalendarPage(props: CalendarView) {
  const csrf = props.frame.csrfToken;
  return (
    <Layout title="Your calendar" frame={props.frame}>
      <h1>Your calendar</h1>
      {props.events === null ? (
        <p class="notice">You did not allow Mine to see your calendar (the calendar.read permission).</p>
      ) : props.events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <ul class="items events">
          {props.events.map((e) => (
            <li key={e.id}>
              <strong>{e.title}</strong> <span class="hint">{`${formatWhen(e.start)} to ${formatWhen(e.end)}`}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>Add an event</h2>
      {props.problem !== undefined && props.problem !== null ? <p class="flash warning">{props.problem}</p> : null}
      {props.canWrite ? (
        <form method="post" action="/calendar/events">
          <input type="hidden" name="csrf" value={csrf} />
          <label for="title">Title</label>
          <input type="text" id="title" name="title" required maxLength={200} />
          <label for="start">Starts (UTC)</label>
          <input type="datetime-local" id="start" name="start" value={props.defaults.start} required />
          <label for="end">Ends (UTC)</label>
          <input type="datetime-local" id="end" name="end" value={props.defaults.end} required />
          <button type="submit">Add event</button>
        </form>
      ) : (
        <form method="post" action="/allow/calendar.write" class="notice">
          <p>You did not allow Mine to add events to your calendar, so Mine cannot add one. You can allow just that, now: Latchkey will ask you about this one permission and bring you back here.</p>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit">Allow Mine to add events</button>
        </form>
      )}
    </Layout>
  );
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
