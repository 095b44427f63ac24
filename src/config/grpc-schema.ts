import { Type } from '@sinclair/typebox'
import { defaultGrpcErrorCodes, grpcCodes } from '../grpc/status.js'

const strict = { additionalProperties: false } as const

const GrpcCode = Type.Union(grpcCodes.map((c) => Type.Literal(c)))

/** How gRPC calls are judged. */
export const GrpcSchema = Type.Object({
  errorCodes: Type.Array(GrpcCode, {
    default: [...defaultGrpcErrorCodes],
    uniqueItems: true,
    description: 'grpc-status codes that make a call a failure for analysis, metrics and passive ejection, whatever its HTTP status; the default is the codes that say the server failed',
  }),
}, { ...strict, default: {} })

/** `grpc: { service }` on a health check or readiness: probe with grpc.health.v1.Health/Check instead of a GET. */
export const GrpcProbeSchema = Type.Object({
  service: Type.String({ default: '', description: 'the service name asked about; "" is the whole server' }),
}, { ...strict, description: 'probe with the gRPC health protocol (grpc.health.v1.Health/Check): SERVING passes' })
