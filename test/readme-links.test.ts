// The README stands on its own: it links nothing outside the repository. Every URL in it is one
// of the local system (127.0.0.1, localhost, *.localhost); every Markdown link names a file of
// the repository that exists. A law or a standard is named, not linked.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

t.test('no URL of another site', async (t) => {
  const urls = [...readme.matchAll(/\b(?:https?|ftp):\/\/[^\s)`'"<>]+/gi)].map((m) => m[0])
  const outside = urls.filter((url) => !/^https?:\/\/(127\.0\.0\.1|localhost|[a-z0-9.-]+\.localhost)([:/]|$)/i.test(url))
  t.same(outside, [], 'every URL is of the local system')
  t.notMatch(readme, /\bwww\.[a-z0-9-]+\.[a-z]/i, 'no bare www. address')
})

t.test('every Markdown link is a file of the repository', async (t) => {
  const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
  for (const target of targets) {
    const path = target.split('#')[0]!
    if (path === '') continue
    t.notMatch(target, /^[a-z][a-z0-9+.-]*:/i, `${target}: no scheme`)
    const file = normalize(join(root, path))
    t.ok(file.startsWith(root) && existsSync(file), `${target} exists in the repository`)
  }
})
