import { waitFor } from '../../support/world/eventually.js'
import type { WorkerAccessLine } from '../../support/world/logs.js'
import type { World } from '../../support/world/world.js'

/**
 * The access lines of the requests whose path starts with `prefix`, once there is one for
 * each of `n`: a worker logs a request as its response ends, which may be a moment after the
 * client read it.
 */
export async function served(w: World, prefix: string, n: number): Promise<WorkerAccessLine[]> {
  const lines = (): WorkerAccessLine[] => w.cluster.access().filter((a) => a.url.startsWith(prefix))
  await waitFor(`${n} access lines for ${prefix}`, () => lines().length === n)
  return lines()
}
