/**
 * Runs at most `limit` tasks at once; the others wait their turn, in arrival order. A reconnect
 * storm brings thousands of authentications and watches at the same moment; let through all at
 * once, they would queue inside the database pool until its wait timeout failed most of them,
 * and every failed client would come back for more. Metered, each waits a little and succeeds.
 *
 * `first` tasks go ahead of the others: the watches of sockets already authenticated are served
 * before new authentications, so a client that started coming back finishes soon (it counts as
 * back only once it watches again), and fewer connected-but-not-watching users are sent unread
 * notifications, each a database read, while the storm lasts.
 */
export class AdmissionGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingFirst: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new TypeError('limit must be a positive integer');
  }

  async run<T>(task: () => Promise<T>, options: { first?: boolean } = {}): Promise<T> {
    const line = options.first ? this.waitingFirst : this.waiting;
    if (this.running >= this.limit) await new Promise<void>((resolve) => line.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line (the count stays), or free it.
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waitingFirst.length + this.waiting.length;
  }
}
