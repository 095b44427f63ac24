import { readFileSync } from 'node:fs'

/**
 * The version in ramp's package.json. Read from the installed package rather than built in:
 * this module runs from dist/cli/ and, bundled, from dist/bundle/, both two levels below it.
 */
export function rampVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
}
