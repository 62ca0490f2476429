// The two ways a request of Mine's can end early. A PageError is an HTML page for the person
// (what happened, in words, and what to do next); a SessionEnded signs them out of Mine with a
// message on the home page. Anything else is a bug: logged, and answered with a plain 500 page.

export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** Where to go next, e.g. `{ href: '/calendar', label: 'Back to your calendar' }`. */
    readonly next: { href: string; label: string } = { href: '/', label: "Back to Mine's home page" },
  ) {
    super(detail);
    this.name = 'PageError';
  }
}

export class SessionEnded extends Error {
  constructor(readonly explanation: string) {
    super(explanation);
    this.name = 'SessionEnded';
  }
}
