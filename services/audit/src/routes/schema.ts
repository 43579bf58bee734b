// What the route schemas of the audit service share: a JSON Schema for every parameter, body and
// response, so Fastify validates the input and /v1/openapi.json documents every route. Each
// resource's schemas sit beside its routes (<resource>/schema.ts); these are the common bits.
export const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const
export const base64Hash = { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$', description: 'SHA-256 hash, base64' } as const
const problem = { $ref: 'Problem#' } as const
export const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problem]))
/** The security of the routes in the authenticated group (index.ts): a bearer token. */
export const security = [{ bearer: [] }]
export const tags = ['audit']
