import type { Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'
import { grpcRows } from './overhead.js'

/** The overhead scenario's gRPC rows alone: a short loop for work on ramp's HTTP/2 path, with --profile. */
const grpc: Scenario = {
  description: 'unary gRPC calls to an h2c gRPC backend, direct and through ramp (h2c listener -> h2c backend): the last rows of overhead, alone',
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const { runs, table, checks, figures } = await grpcRows(kit)
    return { checks, tables: [table], figures: { ...figures, runs } }
  },
}

export default grpc
