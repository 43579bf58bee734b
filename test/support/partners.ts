// The demo partner systems for tests that need real HTTP partners (the gateway's): started in
// process on a free loopback port, and a register whose baseUrls point at them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { DEFAULT_REGISTER_FILE, indexPartyRegister } from '@wams/platform'
import type { PartyRegister } from '@wams/schemas'
import { buildApp, readConfig, type PartnerFaults } from '@wams/demo-partners'

/**
 * Where a "down" partner points: loopback port 2, where nothing listens (connection refused at
 * once). Not on the fetch "bad ports" list, so undici's fetch and request both really try it.
 */
export const DOWN_ORIGIN = 'http://127.0.0.1:2'

export interface DemoPartners {
  /** Origin of the server, e.g. http://127.0.0.1:41234; a party is at `${baseUrl}/partners/<oin>`. */
  baseUrl: string
  /** The demo BRP's base URL, for the consent ledger's BRP_URL. */
  brpUrl: string
  close: () => Promise<void>
}

/** The demo BRP (Haal Centraal BRP Personen Bevragen) of demo partners served at `partnersOrigin`. */
export function demoBrpUrl (partnersOrigin: string): string {
  return `${new URL(partnersOrigin).origin}/brp/haalcentraal/api/brp`
}

export interface StartOptions {
  /** Faults per partner OIN, as in DEMO_FAULTS. */
  faults?: PartnerFaults
  /** Further configuration, e.g. GATEWAY_PUBLIC_KEY_FILE and GATEWAY_ISSUER for a non-dev gateway key. */
  env?: Record<string, string>
}

export async function startDemoPartners (options: StartOptions = {}): Promise<DemoPartners> {
  const config = readConfig({ LOG_LEVEL: 'silent', DATA_DIR: process.env.DATA_DIR ?? '.data', ...options.env, HOST: '127.0.0.1', PORT: '0' })
  const app = await buildApp(config, options.faults === undefined ? {} : { faults: options.faults })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  return { baseUrl, brpUrl: demoBrpUrl(baseUrl), close: () => app.close() }
}

const tempDirs: string[] = []
let cleanupRegistered = false

/**
 * Writes a copy of schemas/party-register.json with every baseUrl at `partnersOrigin` (the
 * `baseUrl` of startDemoPartners) and the `downOins` at a port where nothing listens; returns the
 * file's path, for REGISTER_FILE. The files are removed when the process exits.
 */
export function writeTestRegister (partnersOrigin: string, overrides: { downOins?: string[] } = {}): string {
  const origin = new URL(partnersOrigin).origin
  const register = JSON.parse(readFileSync(DEFAULT_REGISTER_FILE, 'utf8')) as PartyRegister
  const down = new Set(overrides.downOins ?? [])
  const unknown = [...down].filter((oin) => !register.parties.some((p) => p.oin === oin))
  if (unknown.length > 0) throw new Error(`writeTestRegister: not in the register: ${unknown.join(', ')}`)
  for (const party of register.parties) {
    party.baseUrl = `${down.has(party.oin) ? DOWN_ORIGIN : origin}/partners/${party.oin}`
  }
  indexPartyRegister(register, 'test register') // the copy must still be a valid register

  const dir = mkdtempSync(join(tmpdir(), 'wams-register-'))
  tempDirs.push(dir)
  if (!cleanupRegistered) {
    cleanupRegistered = true
    process.once('exit', () => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }) })
  }
  const file = join(dir, 'party-register.json')
  writeFileSync(file, JSON.stringify(register, null, 2))
  return file
}
