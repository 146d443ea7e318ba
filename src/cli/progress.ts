// One-line progress on a terminal's stderr; silent when stderr is not a TTY.
export class Progress {
  private readonly enabled: boolean;
  private last = 0;
  constructor(private readonly label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  update(done: number, total: number, extra = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const pct = ((100 * done) / total).toFixed(0).padStart(3);
    this.stream.write(`\r${this.label} ${pct}% (${done}/${total})${extra ? " " + extra : ""}\x1b[K`);
  }

  done(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
