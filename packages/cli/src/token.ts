// npx wams token: a development token from the dev issuer, for curl and the docs UI. Its header
// names the key (kid), as the dev issuer's JWKS does (the demo partners serve it in development).
import { parseArgs } from 'node:util'
import { ROLES, devIssuer, signToken } from '@wams/platform'

export async function tokenCommand (argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      roles: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      aud: { type: 'string', default: 'wams' }
    }
  })
  if (!values.org || !/^[0-9]{20}$/.test(values.org)) throw new Error('--org <OIN> (20 digits) is required')
  const roles = (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean)
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
  if (roles.length === 0 || unknown.length > 0) throw new Error(`--roles takes any of ${ROLES.join(', ')}`)
  const ttl = Number(values.ttl)
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) throw new Error('--ttl is 1..86400 seconds')
  const issuer = devIssuer(process.env.DATA_DIR ?? '.data')
  const token = signToken(issuer.privateKeyPem, {
    iss: issuer.iss, sub: values.sub ?? `dev-${values.org.slice(-4)}`, org: values.org, roles, aud: values.aud!, ttlSeconds: ttl
  }, { kid: issuer.kid })
  process.stdout.write(token + '\n')
  return 0
}
