// Keeps an embedded PostgreSQL running for `npm test` on a machine without a local server:
// prints its URL, then waits for SIGTERM and stops it.
import { resolvePostgres } from './lib/postgres.ts'

const server = await resolvePostgres(process.cwd(), (line) => process.stderr.write(line + '\n'))
process.stdout.write(server.url + '\n')
const stop = async () => { await server.stop(); process.exit(0) }
process.on('SIGTERM', () => { void stop() })
process.on('SIGINT', () => { void stop() })
setInterval(() => {}, 1 << 30)
