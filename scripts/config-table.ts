// Prints the configuration table of the README from the services' config schemas, so that the
// table and the schemas cannot drift apart (test/platform/readme.test.ts compares them).
import { configSchema as gateway } from '@wams/gateway'
import { configSchema as ledger } from '@wams/consent-ledger'
import { configSchema as audit } from '@wams/audit'

type Props = Record<string, { type?: string, default?: unknown, description?: string, 'x-production-required'?: boolean }>

export function configTable (): string {
  const services: Array<[string, Props]> = [['gateway', gateway.properties], ['consent-ledger', ledger.properties], ['audit', audit.properties]]
  const names = [...new Set(services.flatMap(([, props]) => Object.keys(props)))].sort()
  const rows = names.map((name) => {
    const users = services.filter(([, props]) => name in props)
    const prop = users[0]![1][name]!
    const defaults = [...new Set(users.map(([, props]) => props[name]!.default))].filter((d) => d !== undefined)
    const shown = defaults.length === 0 ? '—' : defaults.map((d) => `\`${d === '' ? '""' : String(d)}\``).join(' / ')
    const who = users.length === services.length ? 'all' : users.map(([s]) => s).join(', ')
    const production = prop['x-production-required'] ? ' **Required in production.**' : ''
    return `| \`${name}\` | ${who} | ${shown} | ${(prop.description ?? '').replace(/\|/g, '\\|')}${production} |`
  })
  return ['| variable | services | default | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(configTable() + '\n')
