import assert from 'node:assert/strict'

/** Fails with every problem listed, one a line, when there is any. */
export function noProblems(problems: readonly string[], what: string): void {
  assert.ok(problems.length === 0, `${what}:\n  ${problems.join('\n  ')}`)
}

/** A short printable excerpt of bytes. */
export function excerpt(b: Buffer | string, n = 100): string {
  return JSON.stringify((typeof b === 'string' ? b : b.toString('latin1')).slice(0, n))
}
