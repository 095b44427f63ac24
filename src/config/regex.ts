import safeRegex from 'safe-regex2'
import { quote } from '../errors.js'

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
    return `${quote(pattern)} is not a valid regular expression: ${reason}`
  }
}

/**
 * A pattern that does not compile, or one that could backtrack exponentially (nested
 * quantifiers such as `(a+)+`): the input cap bounds a linear or polynomial regex, but an
 * exponential one is slow on a few dozen characters, so a hostile header could stall the
 * event loop with it. Such patterns are refused at load time.
 */
export function regexProblem(pattern: string): string | undefined {
  const re = compileRegex(pattern)
  if (typeof re === 'string') return re
  if (!safeRegex(re)) return `${quote(pattern)} could backtrack exponentially (a repeated group inside a repetition, like (a+)+); write it without nested quantifiers`
  return undefined
}
