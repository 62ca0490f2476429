// Calls made during one turn of the event loop, run together at its end (setImmediate). On SQLite
// the store has one connection and every statement run alone is a transaction of its own: it
// takes and drops the log's locks (fcntl calls on the shared-memory file) and commits on its own.
// Several statements in one transaction pay for that once (issue 9: the refresh grant's rotations,
// refresh-tokens-repository.ts; the hot reads, read-batch.ts). On PostgreSQL, a round trip away,
// a turn's calls become one statement instead (batch-statement.ts: the rotations and the
// revocation checks).

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class TurnBatch<I, O> {
  #pending: Pending<I, O>[] = [];

  /**
   * `runOne`: one call alone. `runAll`: several, answering one output per input, in order; if it
   * fails, every call of that batch fails with its error (a transaction either commits them all or
   * none).
   */
  constructor(
    private readonly runOne: (input: I) => Promise<O>,
    private readonly runAll: (inputs: I[]) => Promise<O[]>,
  ) {}

  run(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ input, resolve, reject }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    const [only] = batch;
    // Started from a resolved promise, so a function that throws at once rejects like one that fails later.
    if (batch.length === 1 && only !== undefined) {
      Promise.resolve(only.input).then((input) => this.runOne(input)).then(only.resolve, only.reject);
      return;
    }
    Promise.resolve(batch.map((call) => call.input))
      .then((inputs) => this.runAll(inputs))
      .then((outputs) => {
        if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} calls answered ${outputs.length} outputs`);
        batch.forEach((call, index) => call.resolve(outputs[index] as O));
      })
      .catch((error: unknown) => {
        for (const call of batch) call.reject(error);
      });
  }
}
