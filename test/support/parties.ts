// The parties and demo residents the tests use, named once: OINs of schemas/party-register.json,
// the demo BSNs of SPEC §6, the case's coordinator, and tokens for the usual callers.
import { bearer } from './tokens.ts'

export const OIN = {
  gemeente: '00000099000000000101',
  otherGemeente: '00000099000000000102',
  zorgaanbieder: '00000099000000000201',
  huisarts: '00000099000000000301',
  ggd: '00000099000000000401',
  veiligThuis: '00000099000000000501',
  jeugdhulp: '00000099000000000601',
  woningcorporatie: '00000099000000000701',
  inactiveWoningcorporatie: '00000099000000000702',
  energie: '00000099000000000801',
  zorgverzekeraar: '00000099000000000901',
  school: '00000099000000001001',
  uwv: '00000099000000001101',
  kredietbank: '00000099000000001201',
  politie: '00000099000000001301',
  reclassering: '00000099000000001401',
  toezichthouder: '00000099000000001501',
  unregistered: '00000099000000009999'
} as const

/** The demo residents of SPEC §6; `elsewhere` lives in the other demo municipality (Buurdorp). */
export const DEMO_BSN = { client: '999990019', member: '999990020', unknown: '999990032', refused: '999990044', elsewhere: '999990056' } as const

export const COORDINATOR = { org: OIN.gemeente, sub: 'coordinator-anna' } as const

/** Tokens of the callers every suite needs. */
export const baseCallers = {
  college: () => bearer({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk' }),
  coordinator: () => bearer({ org: COORDINATOR.org, roles: ['coordinator'], sub: COORDINATOR.sub }),
  /** Same organisation and role as the coordinator, another person: not the case's coordinator. */
  otherCoordinator: () => bearer({ org: OIN.gemeente, roles: ['coordinator'], sub: 'coordinator-bert' }),
  otherCollege: () => bearer({ org: OIN.otherGemeente, roles: ['college'], sub: 'college-buurdorp' })
}
