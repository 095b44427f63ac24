import type { Handler } from '../../support/world/recorder.js'

const chunk = Buffer.alloc(65536, 0x61)

/**
 * How the hostile tests' backend answers: `/big?bytes=N` streams N bytes (with
 * backpressure); `/early` answers before reading the body, holding the rest of its response
 * back; other paths answer `ok` once the body is in.
 */
export const bigOrEarly: Handler = (req, res) => {
  req.on('error', () => res.destroy())
  const url = new URL(req.url ?? '/', 'http://backend')
  if (url.pathname === '/big') {
    let left = Number(url.searchParams.get('bytes') ?? 0)
    res.writeHead(200, { 'content-length': String(left) })
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length)
        left -= n
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
    return
  }
  if (url.pathname === '/early') {
    res.writeHead(200, { 'content-length': '100' })
    res.write('a'.repeat(10))
    return
  }
  req.on('end', () => res.end('ok'))
}
