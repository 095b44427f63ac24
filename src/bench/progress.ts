/** Where the bench writes: a terminal (`isTTY`, `columns`) or any stream. */
export type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

/**
 * One progress line at the bottom of a terminal, redrawn in place; lines printed through
 * `say` go above it. Off when stdout is not a TTY (a file or a pipe gets the lines only).
 */
export class Progress {
  private line = ''

  constructor(private readonly out: Output = process.stdout, private readonly on: boolean = out.isTTY === true) {}

  /** `fraction` from 0 to 1 of the current step, `text` after the bar. */
  update(fraction: number, text: string): void {
    if (!this.on) return
    const width = 30
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${text}`
    // A pseudo-terminal may report 0 columns; cut only when the width is known.
    const columns = this.out.columns ?? 0
    this.line = columns > 20 ? line.slice(0, columns - 1) : line
    this.out.write(`\r\x1b[2K${this.line}`)
  }

  say(text: string): void {
    if (this.on && this.line !== '') this.out.write('\r\x1b[2K')
    this.out.write(`${text}\n`)
    if (this.on && this.line !== '') this.out.write(this.line)
  }

  clear(): void {
    if (this.on && this.line !== '') this.out.write('\r\x1b[2K')
    this.line = ''
  }
}
