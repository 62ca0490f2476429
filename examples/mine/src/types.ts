// What the Calendar API answers (examples/calendar-api), as Mine reads it.

export interface CalendarEvent {
  id: string;
  title: string;
  start: string;
  end: string;
}

export interface DriveFile {
  id: string;
  name: string;
  size: number;
  modified: string;
}
