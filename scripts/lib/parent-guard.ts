// Loaded (node --import) into every service `npm start` runs. The services run in process groups
// of their own, so that Ctrl-C in the terminal reaches only the supervisor, which then stops each
// service with one SIGTERM. (In the terminal's group a service got the terminal's SIGINT and then
// the supervisor's SIGTERM, took the second signal as "exit now" and skipped its graceful stop.)
// Outside that group a service would outlive a supervisor that was killed outright: it watches
// its parent and, when the supervisor is gone, stops itself the graceful way (SIGTERM).
const supervisor = Number(process.env.WAMS_SUPERVISOR_PID) || process.ppid
const watch = setInterval(() => {
  if (process.ppid === supervisor) return
  clearInterval(watch)
  process.kill(process.pid, 'SIGTERM')
}, 500)
watch.unref()
