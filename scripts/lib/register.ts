// The party register of the repository names the demo partner systems at 127.0.0.1:8090. When
// `npm start` runs them on another port (DEMO_PARTNERS_PORT), the gateway must call them there:
// the start script then writes a copy of the register with that port into the data directory and
// hands it to every service as REGISTER_FILE. A REGISTER_FILE set by the caller is left alone.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const DEMO_PARTNERS_BASE = 'http://127.0.0.1:8090/'

/** The register text with the demo partners' base URLs on `port`. */
export function registerOnPort (registerText: string, port: number): string {
  return registerText.split(DEMO_PARTNERS_BASE).join(`http://127.0.0.1:${port}/`)
}

/**
 * The REGISTER_FILE for the services: `configured` when set, nothing (the repository's register)
 * when the demo partners listen on 8090, else a copy for their port under `dataDir`.
 */
export function registerFileFor (defaultFile: string, dataDir: string, port: number, configured?: string): string | undefined {
  if (configured) return configured
  if (port === 8090) return undefined
  const file = join(dataDir, `party-register.demo-partners-${port}.json`)
  mkdirSync(dataDir, { recursive: true })
  // Written aside and moved into place: a service never reads half a register.
  writeFileSync(`${file}.${process.pid}`, registerOnPort(readFileSync(defaultFile, 'utf8'), port))
  renameSync(`${file}.${process.pid}`, file)
  return file
}
