// Each service's own database on the one PostgreSQL server of `npm start` and `npm run
// start:cluster` (replicas of a service share theirs). WAMS_DATABASE_PREFIX (default wams_) lets
// a second stack share the server.
import { defaultDatabaseUrl } from '@wams/platform'

export function serviceDatabaseUrl (service: string, serverUrl: string, prefix = process.env.WAMS_DATABASE_PREFIX): string {
  const url = new URL(defaultDatabaseUrl(service, serverUrl))
  if (prefix) url.pathname = `/${prefix}${service.replace(/-/g, '_')}`
  return url.toString()
}
