import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cookieValue, resolveOverride, type OverrideOutcome } from '../../src/routing/overrides.js'

describe('resolveOverride', () => {
  const rows: Array<{ name: string; value: string | undefined; canary: string | null; want: OverrideOutcome }> = [
    { name: 'the canary by name', value: 'v2', canary: 'v2', want: 'canary' },
    { name: 'stable by name', value: 'v1', canary: 'v2', want: 'stable' },
    { name: 'always: the canary', value: 'always', canary: 'v2', want: 'canary' },
    { name: 'never: stable', value: 'never', canary: 'v2', want: 'stable' },
    { name: 'never with no canary: stable', value: 'never', canary: null, want: 'stable' },
    { name: 'always with no canary: ignored', value: 'always', canary: null, want: 'ignored' },
    { name: 'the canary by name once it is gone (aborted): ignored', value: 'v2', canary: null, want: 'ignored' },
    { name: 'a version not in the table: ignored', value: 'v3', canary: 'v2', want: 'ignored' },
    { name: 'names are case-sensitive', value: 'V2', canary: 'v2', want: 'ignored' },
    { name: 'keywords are lower case', value: 'Always', canary: 'v2', want: 'ignored' },
    { name: 'no value', value: undefined, canary: 'v2', want: 'absent' },
    { name: 'an empty value counts as none', value: '', canary: 'v2', want: 'absent' },
  ]
  for (const r of rows) test(r.name, () => assert.equal(resolveOverride(r.value, 'v1', r.canary), r.want))
})

describe('cookieValue', () => {
  const rows: Array<[header: string | undefined, name: string, want: string | undefined]> = [
    ['ramp-version=v2', 'ramp-version', 'v2'],
    ['a=1; ramp-version=v2; b=3', 'ramp-version', 'v2'],
    ['a=1;ramp-version=v2', 'ramp-version', 'v2'],
    ['  ramp-version  =  v2  ', 'ramp-version', 'v2'],
    ['ramp-version="v2"', 'ramp-version', 'v2'],
    ['ramp-version="', 'ramp-version', '"'],
    ['ramp-version=', 'ramp-version', ''],
    ['x-ramp-version=v3; ramp-version=v2', 'ramp-version', 'v2'],
    ['ramp-versionx=v3; ramp-version=v2', 'ramp-version', 'v2'],
    ['ramp-version=v2; ramp-version=v3', 'ramp-version', 'v2'],
    ['garbage; =x; ;; ramp-version=v2', 'ramp-version', 'v2'],
    ['ramp-version; b=ramp-version=v9', 'ramp-version', undefined],
    ['token=a=b=c', 'token', 'a=b=c'],
    ['Ramp-Version=v2', 'ramp-version', undefined],
    ['a=1; b=2', 'ramp-version', undefined],
    ['', 'ramp-version', undefined],
    [undefined, 'ramp-version', undefined],
  ]
  for (const [header, name, want] of rows) {
    test(`${JSON.stringify(header)} [${name}] -> ${JSON.stringify(want)}`, () => assert.equal(cookieValue(header, name), want))
  }
})
