import { readdirSync, readFileSync } from 'node:fs'

/** The fields of /proc/<pid>/stat after the command name (0: state, 1: parent pid, 11-14: CPU ticks); null once it is gone. */
export function statFields(pid: number): string[] | null {
  try {
    // The command name may hold spaces and parentheses; the fields after the last ')' do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/**
 * `root` and every live process descended from it (Linux). Found through each process's
 * parent pid, because the kernel's own children lists (/proc/<pid>/task/<tid>/children) are
 * not built into every kernel.
 */
export function processTree(root: number): number[] {
  let pids: number[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
  } catch {
    return [root]
  }
  const children = new Map<number, number[]>()
  for (const pid of pids) {
    const parent = Number(statFields(pid)?.[1])
    if (Number.isInteger(parent)) children.set(parent, [...(children.get(parent) ?? []), pid])
  }
  const tree = new Set<number>()
  const visit = (pid: number): void => {
    if (tree.has(pid)) return
    tree.add(pid)
    for (const c of children.get(pid) ?? []) visit(c)
  }
  visit(root)
  return [...tree]
}

/**
 * CPU ticks (USER_HZ) used by `root` and its descendants: each live process's own time plus
 * that of its children that exited and were reaped. A worker that dies between two readings
 * moves its time into its parent's reaped share, so the difference of two readings keeps it.
 */
export function treeTicks(root: number): number {
  let ticks = 0
  for (const pid of processTree(root)) {
    const f = statFields(pid)
    if (f !== null) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  }
  return ticks
}
