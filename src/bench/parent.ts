/** Exits when the parent closes our stdin or signals us, after `close` ran once. */
export function exitWithParent(close: () => Promise<void>): void {
  let closing = false
  const stop = (): void => {
    if (closing) return
    closing = true
    void close().finally(() => process.exit(0))
  }
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
