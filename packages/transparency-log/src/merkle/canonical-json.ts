// RFC 8785 (JCS) serialisation, fast path. The audit store canonicalises every event it stores,
// and the `canonicalize` package spends most of its time in template strings, map/join and a
// per-character surrogate scan in JavaScript. Plain JSON data — what JSON.parse gives and what
// the contract allows — is written here with the same rules (ECMAScript JSON.stringify for
// strings and numbers, property names sorted by UTF-16 code units, undefined members left out);
// anything else (toJSON, non-finite numbers, lone surrogates, a cycle or a very deep value, …)
// goes to `canonicalize`, which decides (and throws) exactly as before.
import canonicalize from 'canonicalize'

// With the u flag, \p{Cs} matches only an unpaired surrogate: the one string RFC 8785 refuses.
const LONE_SURROGATE = /\p{Cs}/u
// Deeper than this is left to canonicalize (which detects cycles); events are a few levels deep.
const MAX_FAST_DEPTH = 64

class NotPlain extends Error {}
const notPlain = new NotPlain()

function write (value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw notPlain
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw notPlain
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (depth >= MAX_FAST_DEPTH) throw notPlain
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          if (item === undefined) throw notPlain
          out += (i === 0 ? '' : ',') + write(item, depth + 1)
        }
        return out + ']'
      }
      const proto = Object.getPrototypeOf(value) as unknown
      if (proto !== Object.prototype && proto !== null) throw notPlain
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw notPlain
      const keys = Object.keys(value).sort()
      let out = '{'
      let first = true
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key]
        if (member === undefined) continue
        if (LONE_SURROGATE.test(key)) throw notPlain
        out += (first ? '' : ',') + JSON.stringify(key) + ':' + write(member, depth + 1)
        first = false
      }
      return out + '}'
    }
    default:
      throw notPlain
  }
}

/** The RFC 8785 text of `value`, as `canonicalize` gives it (undefined where it gives undefined). */
export function canonicalJson (value: unknown): string | undefined {
  try {
    return write(value, 0)
  } catch (err) {
    if (err !== notPlain) throw err
    return canonicalize(value)
  }
}
