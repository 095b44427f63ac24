/**
 * The two messages of grpc.health.v1 (grpc/grpc doc/health-checking.md), written and read
 * by hand: `HealthCheckRequest { string service = 1; }` and `HealthCheckResponse {
 * ServingStatus status = 1; }` are one field each, a few lines here against loading a
 * protobuf runtime into every ramp for them. Each goes in gRPC's length-prefixed frame (a
 * compression flag byte, a 4-byte big-endian length).
 */
export const servingStatuses = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const
export const SERVING = 1

/** The framed request asking about `service` ("" for the whole server, sent as an empty message). */
export function healthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8')
  const field = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(name.length), name])
  const frame = Buffer.alloc(5)
  frame.writeUInt32BE(field.length, 1)
  return Buffer.concat([frame, field])
}

/**
 * The serving status of a framed response: a number (`servingStatuses` names it), UNKNOWN
 * (0) for an empty message, as protobuf reads a field left out; null when the bytes are not
 * one uncompressed frame of that message.
 */
export function healthCheckStatus(frame: Buffer): number | null {
  if (frame.length < 5 || frame[0] !== 0 || frame.readUInt32BE(1) !== frame.length - 5) return null
  let status = 0
  let i = 5
  while (i < frame.length) {
    const key = readVarint(frame, i)
    if (key === null) return null
    i = key.next
    const wire = key.value & 7
    const field = key.value >>> 3
    if (wire === 0) {
      const v = readVarint(frame, i)
      if (v === null) return null
      i = v.next
      if (field === 1) status = v.value
    } else if (wire === 2) {
      const len = readVarint(frame, i)
      if (len === null) return null
      i = len.next + len.value
    } else if (wire === 5) i += 4
    else if (wire === 1) i += 8
    else return null
  }
  return i === frame.length ? status : null
}

function varint(n: number): Buffer {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

/** A varint of up to 32 bits (enough for a key, a length or an enum here). */
function readVarint(b: Buffer, at: number): { value: number; next: number } | null {
  let value = 0
  for (let shift = 0, i = at; i < b.length && shift < 35; shift += 7, i++) {
    const byte = b[i] as number
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return { value, next: i + 1 }
  }
  return null
}
