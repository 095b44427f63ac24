import { readFileSync } from 'node:fs'
import { inflateSync } from 'node:zlib'

export interface Png { width: number; height: number; /** RGBA, 4 bytes a pixel, row by row. */ rgba: Uint8Array }

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)]
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's --screenshot writes). */
export function readPng(path: string): Png {
  const buf = readFileSync(path)
  if (buf.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${path} is not a PNG`)
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  for (let at = 8; at < buf.length;) {
    const len = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    const data = buf.subarray(at + 8, at + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const [depth, color, interlace] = [data[8], data[9], data[12]]
      if (depth !== 8 || interlace !== 0 || (color !== 2 && color !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${color}, interlace ${interlace}`)
      channels = color === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    at += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0
      const a = x >= channels ? pixels[y * stride + x - channels] ?? 0 : 0
      const b = y > 0 ? pixels[(y - 1) * stride + x] ?? 0 : 0
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] ?? 0 : 0
      const pred = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0
      pixels[y * stride + x] = (v + pred) & 0xff
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    rgba.set(pixels.subarray(i * channels, i * channels + 3), i * 4)
    rgba[i * 4 + 3] = channels === 4 ? pixels[i * channels + 3] ?? 255 : 255
  }
  return { width, height, rgba }
}

/** Pixels within `tolerance` (per channel) of the colour `#rrggbb`. */
export function pixelsNear(png: Png, hex: string, tolerance = 24): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
  let n = 0
  for (let i = 0; i < png.rgba.length; i += 4) {
    if (Math.abs((png.rgba[i] ?? 0) - r) <= tolerance && Math.abs((png.rgba[i + 1] ?? 0) - g) <= tolerance && Math.abs((png.rgba[i + 2] ?? 0) - b) <= tolerance) n++
  }
  return n
}
