import type { Rule } from '../rule.ts'
import { registeredParties } from './registered-parties.ts'
import { openCase } from './open-case.ts'
import { subjectInCase } from './subject-in-case.ts'
import { purposeInPhase } from './purpose-in-phase.ts'
import { requesterRole } from './requester-role.ts'
import { providerInvolved } from './provider-involved.ts'
import { categorySupplied } from './category-supplied.ts'
import { clientScope } from './client-scope.ts'
import { categoryPermitted } from './category-permitted.ts'
import { necessity } from './necessity.ts'
import { noObjection } from './no-objection.ts'

/** The rule table of SPEC section 5, in its order. Every rule is evaluated; reasons are reported in this order. */
export const rules: readonly Rule[] = Object.freeze([
  registeredParties,
  openCase,
  subjectInCase,
  purposeInPhase,
  requesterRole,
  providerInvolved,
  categorySupplied,
  clientScope,
  categoryPermitted,
  necessity,
  noObjection,
])
