/**
 * The request target to send upstream, in origin form, byte for byte as the client sent it.
 * A proxy must accept the absolute form (`GET http://host/x?y HTTP/1.1`, RFC 9112 3.2.2) and
 * forwards it as `/x?y`, taking the authority from the target rather than from Host. Nothing
 * else is rewritten: no dot segments resolved, no slashes merged, no escapes decoded, since a
 * backend may read any of them differently.
 */
export interface Target {
  /** `/path?query`, or null when the target is neither origin nor absolute form (`*`, garbage). */
  readonly path: string | null
  /** The authority of an absolute-form target; undefined for the origin form. */
  readonly authority: string | undefined
}

const origin: { path: string | null; authority: undefined } = { path: null, authority: undefined }
const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/

export function targetOf(url: string): Target {
  if (url.charCodeAt(0) === 47 /* / */) return { path: url, authority: undefined }
  const m = absolute.exec(url)
  if (m === null) return origin
  const rest = url.slice(m[0].length)
  return { path: rest === '' ? '/' : rest.charCodeAt(0) === 63 /* ? */ ? `/${rest}` : rest, authority: m[1] }
}
