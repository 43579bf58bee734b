// A worker thread whose module is TypeScript, like the rest of the code. A worker does not
// inherit tsx's loader from the process, so the thread registers it first and then imports the
// module; it gets the process's flags without its preloads (--import, --require, --loader): those
// are the process's own (npm start's parent guard, a test runner's hooks, tsx itself) and would
// run before TypeScript could load.
import { Worker } from 'node:worker_threads'

const TSX_API = import.meta.resolve('tsx/esm/api')
const PRELOADS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader'])
const EXEC_ARGV = process.execArgv.filter((arg, i, all) =>
  !PRELOADS.has(arg) && !PRELOADS.has(all[i - 1] ?? '') && ![...PRELOADS].some((p) => arg.startsWith(`${p}=`)))

/** Starts `module` (a .ts file URL) on a worker thread with `workerData`. */
export function startTsWorker (module: URL, workerData: unknown): Worker {
  const bootstrap = `import { register } from ${JSON.stringify(TSX_API)}; register(); await import(${JSON.stringify(module.href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData, execArgv: EXEC_ARGV })
}
