import type { DestinationStream } from 'pino';

/**
 * The server's log lines, kept in memory so a test can read what a request made the server
 * write. A line counts as a leak when it holds a stack trace (an unexpected failure, and a map
 * of the code for whoever reads the logs) or any text a client submitted.
 */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  /** Where the lines written from now on start. */
  mark(): number {
    return this.lines.length;
  }

  /** What is wrong with the lines written since `from`: stacks, and lines quoting `secrets`. */
  problems(from: number, secrets: readonly string[]): string[] {
    const found: string[] = [];
    for (const [i, line] of this.lines.entries()) {
      if (i < from) continue;
      if (/"stack"|\n\s+at |\\n\s+at /.test(line)) found.push(`log line with a stack trace: ${clip(line)}`);
      const quoted = secrets.filter((secret) => line.includes(secret));
      if (quoted.length > 0)
        found.push(`log line quoting submitted text (${quoted.join(', ')}): ${clip(line)}`);
    }
    return found;
  }
}

const clip = (line: string) => (line.length > 600 ? `${line.slice(0, 600)}…` : line.trimEnd());
