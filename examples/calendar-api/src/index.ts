// The demo Calendar API: build it (tests, the bench) or run it (main.ts).
export { buildApi, type ApiOptions } from './app.js';
export { main } from './main.js';
export { calendarRoutes, SCOPES } from './routes.js';
export { calendarDatabasePath, openCalendarStore, type CalendarEvent, type CalendarStore, type DriveFile } from './store/calendar-store.js';
export { demoUserPath, readDemoUser, seedDemoData, type DemoUser } from './demo-data.js';
export { parseEventInput, EventInputError, type Problem } from './event-input.js';
