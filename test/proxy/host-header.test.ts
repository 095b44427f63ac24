import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostProblem } from '../../src/proxy/host-header.js'

const rows: ReadonlyArray<{ name: string; raw: string[]; ok: boolean }> = [
  { name: 'a host name', raw: ['Host', 'app.example.com'], ok: true },
  { name: 'a host name and port', raw: ['Host', 'app:8080'], ok: true },
  { name: 'an IPv4 address and port', raw: ['Host', '10.0.0.1:80'], ok: true },
  { name: 'an IPv6 literal and port', raw: ['Host', '[::1]:8080'], ok: true },
  { name: 'an IPv6 literal with a zone', raw: ['Host', '[fe80::1%25eth0]'], ok: true },
  { name: 'underscores and percent-encoding', raw: ['Host', 'my_app%2Dx'], ok: true },
  { name: 'an empty Host (allowed by RFC 9112)', raw: ['Host', ''], ok: true },
  { name: 'no Host (Node answers that itself)', raw: ['Accept', '*/*'], ok: true },
  { name: 'two Host lines', raw: ['Host', 'a', 'host', 'b'], ok: false },
  { name: 'two identical Host lines', raw: ['HOST', 'a', 'Host', 'a'], ok: false },
  { name: 'a path', raw: ['Host', 'app/admin'], ok: false },
  { name: 'userinfo', raw: ['Host', 'user@app'], ok: false },
  { name: 'a space', raw: ['Host', 'app evil'], ok: false },
  { name: 'a quote', raw: ['Host', 'app"x'], ok: false },
  { name: 'a backslash', raw: ['Host', 'app\\x'], ok: false },
  { name: 'a port that is not a number', raw: ['Host', 'app:80a'], ok: false },
  { name: 'an unclosed IP literal', raw: ['Host', '[::1'], ok: false },
]

/** What Node puts in `req.headers.host`: the first Host line's value. */
function firstHost(raw: string[]): string | undefined {
  const i = raw.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === 'host')
  return i < 0 ? undefined : raw[i + 1]
}

for (const row of rows) {
  test(`Host check: ${row.name} is ${row.ok ? 'accepted' : 'refused'}`, () => {
    const problem = hostProblem(row.raw, firstHost(row.raw))
    if (row.ok) assert.equal(problem, null)
    else assert.match(problem ?? '', /Host/)
  })
}
