/**
 * `"(" is not a valid regular expression: Unterminated group`, or the compiled RegExp. The
 * config loader reports it with the pattern's path in the file; the routing compiler uses the
 * same words, so a problem reads the same from either.
 */
export function compileRegex(pattern: string): RegExp | string {
  try {
    return new RegExp(pattern)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    // V8 says `Invalid regular expression: /(/: Unterminated group`; the pattern is shown
    // (quoted, so whitespace is visible) in front already.
    const reason = /^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(message)?.[1] ?? message
    return `${JSON.stringify(pattern)} is not a valid regular expression: ${reason}`
  }
}

export function regexProblem(pattern: string): string | undefined {
  const re = compileRegex(pattern)
  return typeof re === 'string' ? re : undefined
}
