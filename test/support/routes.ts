// The routes of a built app, for the tests that must see every route (route groups, the access
// matrix), read from printRoutes({ commonPrefix: false }): a tree of lines
// `<indent>├── <segment> (<METHODS>)` in which every segment continues its parent's path and each
// level indents four characters.
export interface Route { method: string, path: string }

export function routesOf (tree: string): Route[] {
  const routes: Route[] = []
  const paths: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (m === null) continue
    const depth = m[1]!.length / 4
    paths.length = depth
    const path = (paths[depth - 1] ?? '') + m[2]!
    paths[depth] = path
    for (const method of m[3]?.split(', ') ?? []) routes.push({ method, path })
  }
  return routes
}
