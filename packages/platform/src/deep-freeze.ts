// Frozen all the way down: for values shared by reference that nobody may change afterwards (the
// party register, the capability table, case states kept under a lease, audit events once checked).

export function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}
