// pino options shared by every service. Redaction is a safety net; the rule is that personal
// data never reach a log call in the first place (BSNs are pseudonymised at the edge).
import type { LoggerOptions } from 'pino'
import { maskBsns } from './bsn.ts'

export const redactPaths = [
  'bsn', '*.bsn', '*.*.bsn', 'subject', '*.subject', 'subjects', '*.subjects',
  'data', '*.data', 'necessity', '*.necessity', 'reason', '*.reason', 'description', '*.description',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
  'body', '*.body', 'statement', '*.statement', 'notInformedReason', '*.notInformedReason'
]

/** A URL as it may be logged: without its query string, nine-digit runs masked. */
export function maskUrl (url: string): string {
  return maskBsns(url.split('?')[0] ?? '')
}

export function loggerOptions (service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: redactPaths, censor: '[redacted]' },
    hooks: {
      logMethod (args, method) {
        for (let i = 0; i < args.length; i++) {
          // A BSN-like 9-digit run that slipped into a message string is masked too.
          if (typeof args[i] === 'string') args[i] = maskBsns(args[i] as string)
        }
        method.apply(this, args as Parameters<typeof method>)
      }
    },
    serializers: {
      // The URL never holds a BSN (SPEC), but someone may type one into it: query strings are
      // dropped and nine-digit runs in the path masked.
      req (req: { method: string, url: string, id: string }) {
        return { method: req.method, url: maskUrl(req.url), id: req.id }
      }
    }
  }
}
