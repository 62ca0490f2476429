// Group commit for SQLite (issue 9). With `synchronous = FULL` SQLite fsyncs the write-ahead log
// inside every COMMIT, on the event loop's thread (better-sqlite3 is synchronous): on the token
// endpoint that one call was most of a refresh_token grant's time, and every other request waited
// behind it. Here the connection runs `synchronous = NORMAL` (commits reach the OS, not the disk)
// and a write is reported done only after the log has been synced to disk by an fsync on libuv's
// thread pool, shared by every commit made before it started. The guarantee is FULL's: a write a
// caller saw succeed survives a power loss. SQLite still syncs the log before each checkpoint and
// the database after it (NORMAL), so the file stays consistent whatever happens.
import { close, fdatasync, open } from 'node:fs';
import { promisify } from 'node:util';

const openFile = promisify(open);
const datasyncFd = promisify(fdatasync);
const closeFd = promisify(close);

/**
 * The write-ahead log, opened at its first flush and kept open until `close`. Opening and closing
 * it around every flush cost two more trips through libuv's thread pool per group sync, each
 * queued behind the token signatures there (issue 9: refresh grants/s 6-8% higher without them,
 * means of alternating pairs).
 * One descriptor is enough because SQLite deletes the log only when the last connection to the
 * database closes, and the store's connection is open for as long as it writes: until then the
 * log may be truncated or rewritten from its start, but it stays the same file.
 */
export class WalFile {
  #fd: number | undefined;

  /** `flushFd`: the tests' stand-in for fdatasync, to make a flush fail. */
  constructor(
    readonly path: string,
    private readonly flushFd: (fd: number) => Promise<void> = datasyncFd,
  ) {}

  /**
   * Flushes the log's data to disk (fdatasync); a log that does not exist has nothing to flush.
   * One call at a time: WalSync runs its flushes one after another.
   */
  async datasync(): Promise<void> {
    if (this.#fd === undefined) {
      try {
        this.#fd = await openFile(this.path, 'r+');
      } catch (error) {
        // No log file: every commit has been checkpointed into the database, which SQLite synced.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    try {
      await this.flushFd(this.#fd);
    } catch (error) {
      // The callers of this flush are told it failed. The next flush opens the log afresh, as
      // every flush did before the descriptor was kept.
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  /** Closes the descriptor, if open; the next flush opens the log again. */
  async close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeFd(fd);
  }
}

export class WalSync {
  /** The sync on disk now; it may have started before the caller's commit. */
  #running: Promise<void> | undefined;
  /** The sync that starts when the running one ends: it covers every commit made meanwhile. */
  #queued: Promise<void> | undefined;

  readonly #flush: () => Promise<void>;
  readonly #log: WalFile | undefined;

  /** `flush`: the tests' stand-in for the fdatasync of the log at `walFile`. */
  constructor(walFile: string, flush?: (file: string) => Promise<void>) {
    if (flush === undefined) {
      const log = new WalFile(walFile);
      this.#log = log;
      this.#flush = () => log.datasync();
    } else {
      this.#flush = () => flush(walFile);
    }
  }

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
    const run: Promise<void> = this.#flush().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  /** Waits for the flushes under way, then closes the log's descriptor (the store is closing). */
  async close(): Promise<void> {
    await (this.#queued ?? this.#running)?.catch(() => undefined);
    await this.#log?.close();
  }
}

const syncs = new WeakMap<object, WalSync>();

/** Lets `committedOnDisk(db)` wait for `walSync`, the group commit of `db`'s SQLite file. */
export function registerWalSync(db: object, walSync: WalSync): void {
  syncs.set(db, walSync);
}

/**
 * Resolves once every commit made on `db` before the call is on disk; rejects if that flush
 * failed. For an answer that hands out what another request wrote, whose own flush may still be
 * under way (the refresh grant's repeat within the grace window). At once where no commit waits
 * for a flush: PostgreSQL, whose commit returns once it is durable, and SQLite with
 * LATCHKEY_SQLITE_SYNCHRONOUS=normal.
 */
export function committedOnDisk(db: object): Promise<void> {
  return syncs.get(db)?.sync() ?? Promise.resolve();
}
