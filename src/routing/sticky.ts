import { cookieValue } from './overrides.js'
import type { RequestFacts, StickinessSpec } from './types.js'

/**
 * Sticky buckets. A key (the sticky cookie, a header, or the client address) is mapped to one
 * of 10 000 buckets, and a bucket below the weight in basis points is on the canary:
 *
 *     bucket = fnv1a32(utf8(key)) % 10000        canary  <=>  bucket < weightBp
 *
 * FNV-1a, 32 bits: start at the offset basis 0x811c9dc5 (2166136261); for each byte,
 * `h ^= byte` then `h *= 16777619` (0x01000193) modulo 2^32. Worked example, key "a" (one
 * byte, 0x61): 0x811c9dc5 ^ 0x61 = 0x811c9da4; 0x811c9da4 * 0x01000193 mod 2^32 = 0xe40c292c
 * = 3826002220; 3826002220 % 10000 = 2220. So "a" is on the canary from weight 22.21 on
 * (2221 bp) and on stable at 22.20 and below. (test/routing/sticky.test.ts has this row.)
 *
 * Because the rule is `bucket < weightBp` with a fixed bucket per key, raising the weight only
 * moves keys from stable to the canary, lowering it (or an abort, weight 0) moves them back,
 * and no per-user state is kept. `% 10000` favours buckets 0..7295 by one in 429 497, which
 * no test or user can see.
 */
export const BUCKETS = 10_000

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** FNV-1a 32-bit over the UTF-8 bytes of `s`, encoded on the fly (no buffer is made). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME)
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1)
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00)
        i++
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME)
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME)
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME)
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME)
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME)
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME)
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME)
  }
  return h >>> 0
}

export function bucketOf(key: string): number {
  return fnv1a32(key) % BUCKETS
}

/**
 * The bucket a sticky cookie stands for: its value when that is a bucket ramp handed out
 * (`0`..`9999`, written without leading zeros), otherwise the hash of the value, so a
 * hand-made or foreign value still sticks to one side.
 */
export function cookieBucket(value: string): number {
  const n = value.length
  if (n >= 1 && n <= 4 && (n === 1 || value.charCodeAt(0) !== 48 /* 0 */)) {
    let b = 0
    for (let i = 0; i < n; i++) {
      const d = value.charCodeAt(i) - 48
      if (d < 0 || d > 9) return bucketOf(value)
      b = b * 10 + d
    }
    return b
  }
  return bucketOf(value)
}

/**
 * A fresh bucket for a client without one. Handing out uniform random buckets (rather than
 * hashing something about the client) is what makes the canary share of new clients equal the
 * weight exactly in expectation.
 */
export function newBucket(random: () => number): number {
  const b = Math.floor(random() * BUCKETS)
  return b < 0 ? 0 : b >= BUCKETS ? BUCKETS - 1 : b
}

export interface BucketCookieSpec {
  cookie: string
  /** 0 or less: a session cookie (no Max-Age), since Max-Age=0 would delete it at once. */
  maxAgeSeconds: number
  secure: boolean
}

/** The `Set-Cookie` value that gives a client its bucket: `ramp-bucket=4821; Path=/; ...`. */
export function bucketCookie(spec: BucketCookieSpec, bucket: number): string {
  // HttpOnly: page scripts have no business with it. SameSite=Lax: a link from another site
  // still carries it, so a user followed from elsewhere stays on their side.
  let v = `${spec.cookie}=${bucket}; Path=/; HttpOnly; SameSite=Lax`
  if (spec.maxAgeSeconds > 0) v += `; Max-Age=${Math.floor(spec.maxAgeSeconds)}`
  if (spec.secure) v += '; Secure'
  return v
}

/** The stickiness of a routing table, with header names lower-cased once. */
export type CompiledStickiness =
  | { readonly kind: 'cookie'; readonly cookie: string; readonly maxAgeSeconds: number; readonly secure: boolean }
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'clientAddress' }

export function compileStickiness(spec: StickinessSpec): CompiledStickiness {
  if ('cookie' in spec) return { kind: 'cookie', cookie: spec.cookie, maxAgeSeconds: spec.maxAgeSeconds, secure: spec.secure }
  if ('header' in spec) return { kind: 'header', header: spec.header.toLowerCase() }
  return { kind: 'clientAddress' }
}

/**
 * The request's bucket, or null when it has no key. For the cookie form, null means "no
 * cookie yet": the caller hands out `newBucket` and sets the cookie; for the other forms it
 * means the weighted pick decides this request.
 */
export function stickyBucket(s: CompiledStickiness, req: RequestFacts): number | null {
  switch (s.kind) {
    case 'cookie': {
      const v = cookieValue(req.header('cookie'), s.cookie)
      return v === undefined || v === '' ? null : cookieBucket(v)
    }
    case 'header': {
      const v = req.header(s.header)
      return v === undefined || v === '' ? null : bucketOf(v)
    }
    case 'clientAddress': {
      const v = req.clientAddress
      return v === undefined || v === '' ? null : bucketOf(v)
    }
  }
}
