// Group commit for SQLite (issue 9). With `synchronous = FULL` SQLite fsyncs the write-ahead log
// inside every COMMIT, on the event loop's thread (better-sqlite3 is synchronous): on the token
// endpoint that one call was most of a refresh_token grant's time, and every other request waited
// behind it. Here the connection runs `synchronous = NORMAL` (commits reach the OS, not the disk)
// and a write is reported done only after the log has been synced to disk by an fsync on libuv's
// thread pool, shared by every commit made before it started. The guarantee is FULL's: a write a
// caller saw succeed survives a power loss. SQLite still syncs the log before each checkpoint and
// the database after it (NORMAL), so the file stays consistent whatever happens.
import { open } from 'node:fs/promises';

/** Flushes a file's data to disk (fdatasync); a file that does not exist has nothing to flush. */
export async function datasyncFile(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r+');
  } catch (error) {
    // No log file: every commit has been checkpointed into the database, which SQLite synced.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export class WalSync {
  /** The sync on disk now; it may have started before the caller's commit. */
  #running: Promise<void> | undefined;
  /** The sync that starts when the running one ends: it covers every commit made meanwhile. */
  #queued: Promise<void> | undefined;

  constructor(
    private readonly walFile: string,
    private readonly flush: (file: string) => Promise<void> = datasyncFile,
  ) {}

  /** Resolves once everything committed before this call is on disk; rejects if the flush failed. */
  sync(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#start();
      });
    return this.#queued;
  }

  #start(): Promise<void> {
    const run: Promise<void> = this.flush(this.walFile).finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}
