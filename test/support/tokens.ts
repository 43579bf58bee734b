// Tokens for tests, signed by the dev issuer (the same keys `npx wams token` uses).
import { devIssuer, signToken, type Role } from '@wams/platform'

export const issuer = devIssuer(process.env.DATA_DIR ?? '.data')

export function token (claims: { org: string, roles: Role[] | string[], sub?: string, ttlSeconds?: number, aud?: string, [k: string]: unknown }): string {
  const { org, roles, sub = `user-${org.slice(-4)}`, ttlSeconds = 600, aud = 'wams', ...rest } = claims
  return signToken(issuer.privateKeyPem, { iss: issuer.iss, sub, org, roles, aud, ttlSeconds, ...rest })
}

export function bearer (claims: Parameters<typeof token>[0]): { authorization: string } {
  return { authorization: `Bearer ${token(claims)}` }
}
