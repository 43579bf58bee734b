// The restart policy of `npm start`'s supervisor: 1 s, 2 s, 4 s … after deaths in a row, at most
// 30 s; a run that lasted STABLE_AFTER_MS counts as healthy and starts the series again.
export const RESTART_BASE_MS = 1000
export const RESTART_MAX_MS = 30000
export const STABLE_AFTER_MS = 60000

/** The wait before the next start, after `failures` deaths in a row (0 for the first). */
export function restartDelayMs (failures: number): number {
  return Math.min(RESTART_BASE_MS * 2 ** Math.max(0, failures), RESTART_MAX_MS)
}
