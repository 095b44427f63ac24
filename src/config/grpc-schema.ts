import { Type } from '@sinclair/typebox'
import { grpcMethodPattern } from '../grpc/method-path.js'
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
  retry: Type.Object({
    methods: Type.Array(Type.String({ pattern: grpcMethodPattern }), {
      default: [],
      uniqueItems: true,
      description: 'methods safe to call twice, as /package.Service/Method or /package.Service/* for every method of a service: their calls are retried (retry.attempts, backoff and budget) also after a backend saw them; other calls only when no backend did',
    }),
    onCodes: Type.Array(GrpcCode, {
      default: ['UNAVAILABLE'],
      uniqueItems: true,
      description: 'grpc-status codes of a trailers-only answer that a call of a safe method is retried after',
    }),
    bufferBytes: Type.Integer({
      minimum: 0,
      maximum: 16777216,
      default: 65536,
      description: 'request bytes of a safe method\'s call kept until its answer reaches the client, so that a retry can send them again; a call whose body grows past this is no longer retried',
    }),
  }, { ...strict, default: {} }),
}, { ...strict, default: {} })

/** `grpc: { service }` on a health check or readiness: probe with grpc.health.v1.Health/Check instead of a GET. */
export const GrpcProbeSchema = Type.Object({
  service: Type.String({ default: '', description: 'the service name asked about; "" is the whole server' }),
}, { ...strict, description: 'probe with the gRPC health protocol (grpc.health.v1.Health/Check): SERVING passes' })
