// How `latchkey` and the demo server end: with process.exit once their output is flushed, not
// when the event loop empties. While Node tears the loop down it no longer handles signals, so a
// repeated Ctrl-C (a terminal signals the whole process group, and npm and the demo launcher
// forward it again) landing then would kill a process that had already stopped cleanly, turning
// exit code 0 into death by signal.
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
