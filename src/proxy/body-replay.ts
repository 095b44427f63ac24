import { PassThrough, type Readable, type Writable } from 'node:stream'

/**
 * A request body that a later try can send again from its first byte. What has been read of
 * it is kept, up to `limit` bytes, until `release()`; a body that grows past the limit can no
 * longer be sent again and streams on to the try in flight as it comes.
 *
 * The first try reads the source directly. A later one gets a stream of the kept bytes
 * followed by the rest of the source, which no longer feeds the try before it: a try that
 * failed must not hold the body back (an unread pipe would pause the source for every try).
 */
export class BodyReplay {
  private kept: Buffer[] | null = []
  private keptBytes = 0
  private started = false
  /** What the source is piped into now: the first try's stream, or the replay feeding a later one. */
  private into: Writable | null = null

  constructor(readonly source: Readable, private readonly limit: number) {}

  /** Whether the body can still be sent again whole. */
  get replayable(): boolean {
    return this.kept !== null
  }

  /** Sends the body into `dest` from its first byte. After the first call, only while `replayable`. */
  pipeTo(dest: Writable): void {
    const source = this.source
    if (!this.started) {
      this.started = true
      // Keeping starts with the reading, never before: a listener alone would start the flow.
      source.on('data', this.keep)
      source.pipe(dest)
      this.into = dest
      return
    }
    this.detach()
    const again = new PassThrough()
    again.write(Buffer.concat(this.kept as Buffer[]))
    if (source.readableEnded) again.end()
    else {
      source.pipe(again)
      this.into = again
    }
    again.pipe(dest)
  }

  /** The try in flight gets no more of the body (it ended, or failed). */
  detach(): void {
    if (this.into === null) return
    this.source.unpipe(this.into)
    this.into = null
  }

  /** Nothing will be sent again: the kept bytes go. */
  release(): void {
    if (this.kept === null) return
    this.kept = null
    this.source.off('data', this.keep)
  }

  private readonly keep = (chunk: Buffer): void => {
    const kept = this.kept
    if (kept === null) return
    this.keptBytes += chunk.length
    if (this.keptBytes <= this.limit) kept.push(chunk)
    else this.release()
  }
}
