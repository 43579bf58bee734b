// How `npm start` shows its services' logs. Each service writes pino JSON lines; the supervisor
// reads them and writes them out in one of two formats:
//   pretty — one readable line per entry (pino-pretty), the service's name in front of every line;
//   json   — the services' JSON lines unchanged, one object per line (its `service` names it).
// pretty when stdout is a terminal and CI is not set, json otherwise; LOG_FORMAT=pretty|json
// decides instead. Output that is not a JSON line (a crash's stack on stderr) gets the service's
// name in front in both formats; the supervisor's own lines start with `[wams]`.
import { prettyFactory, isColorSupported } from 'pino-pretty'

export type LogFormat = 'json' | 'pretty'

/** The format for this run: LOG_FORMAT when set, else pretty on a terminal outside CI. */
export function logFormat (env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const chosen = env.LOG_FORMAT?.trim().toLowerCase()
  if (chosen === 'json' || chosen === 'pretty') return chosen
  if (chosen) throw new Error(`LOG_FORMAT must be json or pretty, not ${JSON.stringify(env.LOG_FORMAT)}`)
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0'
  return isTTY && !ci ? 'pretty' : 'json'
}

const NAME_WIDTH = 15
// One colour per service, so that interleaved lines are told apart at a glance.
const NAME_COLOURS = [36, 35, 33, 32, 34] // cyan, magenta, yellow, green, blue

interface RequestFields { req?: { method?: string, url?: string }, res?: { statusCode?: number }, responseTime?: number }

/** A fastify request line in few words: `incoming request GET /v1/parties`, `request completed 200 in 4 ms`. */
function messageOf (log: Record<string, unknown>, messageKey: string): string {
  const { req, res, responseTime } = log as RequestFields
  let text = String(log[messageKey] ?? '')
  if (req?.method) text += ` ${req.method} ${req.url ?? ''}`
  if (res?.statusCode !== undefined) text += ` ${res.statusCode}`
  if (typeof responseTime === 'number') text += ` in ${Math.round(responseTime)} ms`
  return text
}

function parsedObject (line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null
  try {
    const value: unknown = JSON.parse(line)
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

/**
 * A function from (service, one line of its output) to the text to write, with its newline.
 * `colour` defaults to what the terminal supports (NO_COLOR, FORCE_COLOR are honoured).
 */
export function logRenderer (format: LogFormat, options: { colour?: boolean } = {}): (service: string, line: string) => string {
  const colour = options.colour ?? isColorSupported
  const names = new Map<string, string>()
  const nameOf = (service: string): string => {
    let name = names.get(service)
    if (name === undefined) {
      const padded = `${service.padEnd(NAME_WIDTH)}|`
      name = colour ? `\u001b[${NAME_COLOURS[names.size % NAME_COLOURS.length]}m${padded}\u001b[39m` : padded
      names.set(service, name)
    }
    return name
  }
  const prefixed = (service: string, text: string): string =>
    text.split('\n').filter((l) => l.trim() !== '').map((l) => `${nameOf(service)} ${l}\n`).join('')

  if (format === 'json') {
    return (service, line) => parsedObject(line) ? `${line}\n` : prefixed(service, line)
  }
  const pretty = prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,req,res,responseTime',
    singleLine: true,
    messageFormat: messageOf
  })
  return (service, line) => {
    const entry = parsedObject(line)
    return prefixed(service, entry && typeof entry.level === 'number' ? pretty(entry) : line)
  }
}
