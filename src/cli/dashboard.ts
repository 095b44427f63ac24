import { adminTarget, callAdmin } from './client.js'

/** The dashboard's address on an admin listener's URL: the page is its root. */
export const dashboardUrl = (admin: string): string => `${admin.replace(/\/+$/, '')}/`

/**
 * `ramp dashboard`: prints the dashboard's URL, once the admin API behind it answers (an
 * unreachable one fails as every admin command does). It opens nothing: the URL is for a
 * browser, an SSH tunnel or `xdg-open "$(ramp dashboard)"`.
 */
export async function dashboardCommand(opts: { admin?: string }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const target = adminTarget(opts)
  await callAdmin(target, 'GET', '/api/v1/status')
  out.write(`${dashboardUrl(target.url)}\n`)
}
