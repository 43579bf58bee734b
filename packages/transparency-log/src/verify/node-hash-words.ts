// SHA-256(0x01 ‖ left ‖ right), the RFC 6962 interior node, on 32-bit big-endian words in plain
// JavaScript. The verifier computes one per leaf; node:crypto's fixed cost per call (about that of
// hashing a whole export line) is twice what these 65 bytes cost here, and nothing is allocated.
// The second of the two blocks holds only the last byte of `right` and the padding, so its message
// schedule (plus the round constants) is precomputed for each of the 256 values of that byte.
// test/audit/verify.test.ts checks it against node:crypto on random inputs.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

/** Expands W[0..15] to the 64-word message schedule in place, and writes K[i] + W[i] to kw. */
function expand (w: Int32Array, kw: Int32Array, kwAt: number): void {
  for (let i = 0; i < 16; i++) kw[kwAt + i] = (w[i]! + K[i]!) | 0
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!
    const b = w[i - 2]!
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
    kw[kwAt + i] = (w[i]! + K[i]!) | 0
  }
}

/**
 * 64 rounds on state `h` (8 words at `at`) with kw[kwAt + i] = K[i] + W[i]. Eight rounds per pass,
 * written out: the variables change roles each round instead of shifting their values, and the
 * Σ/Ch/Maj terms stay inline (as functions they made it twice as slow: V8 stopped inlining them).
 * Round: T1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]; d += T1; h = T1 + Σ0(a) + Maj(a, b, c).
 */
function rounds (h: Int32Array, at: number, kw: Int32Array, kwAt: number): void {
  let a = h[at]!; let b = h[at + 1]!; let c = h[at + 2]!; let d = h[at + 3]!
  let e = h[at + 4]!; let f = h[at + 5]!; let g = h[at + 6]!; let hh = h[at + 7]!
  for (let i = kwAt; i < kwAt + 64; i += 8) {
    hh = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + kw[i + 0]!) | 0
    d = (d + hh) | 0
    hh = (hh + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    g = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + kw[i + 1]!) | 0
    c = (c + g) | 0
    g = (g + (((hh >>> 2) | (hh << 30)) ^ ((hh >>> 13) | (hh << 19)) ^ ((hh >>> 22) | (hh << 10))) + ((hh & a) ^ (hh & b) ^ (a & b))) | 0
    f = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + kw[i + 2]!) | 0
    b = (b + f) | 0
    f = (f + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & hh) ^ (g & a) ^ (hh & a))) | 0
    e = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + kw[i + 3]!) | 0
    a = (a + e) | 0
    e = (e + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & hh) ^ (g & hh))) | 0
    d = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + kw[i + 4]!) | 0
    hh = (hh + d) | 0
    d = (d + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0
    c = (c + (((hh >>> 6) | (hh << 26)) ^ ((hh >>> 11) | (hh << 21)) ^ ((hh >>> 25) | (hh << 7))) + ((hh & a) ^ (~hh & b)) + kw[i + 5]!) | 0
    g = (g + c) | 0
    c = (c + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0
    b = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & hh) ^ (~g & a)) + kw[i + 6]!) | 0
    f = (f + b) | 0
    b = (b + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0
    a = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & hh)) + kw[i + 7]!) | 0
    e = (e + a) | 0
    a = (a + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0
  }
  h[at] = (h[at]! + a) | 0; h[at + 1] = (h[at + 1]! + b) | 0; h[at + 2] = (h[at + 2]! + c) | 0; h[at + 3] = (h[at + 3]! + d) | 0
  h[at + 4] = (h[at + 4]! + e) | 0; h[at + 5] = (h[at + 5]! + f) | 0; h[at + 6] = (h[at + 6]! + g) | 0; h[at + 7] = (h[at + 7]! + hh) | 0
}

// K + W of the second block, for each value of its one message byte (the last byte of `right`):
// W0 = byte ‖ 0x80 ‖ 0 ‖ 0, W1..W14 = 0, W15 = 520, the message length in bits.
const SECOND = new Int32Array(256 * 64)
const w = new Int32Array(64) // the message schedule being worked on
const kw = new Int32Array(64) // K + W of the first block
const state = new Int32Array(8)
for (let byte = 0; byte < 256; byte++) {
  w.fill(0)
  w[0] = (byte << 24) | 0x800000
  w[15] = 65 * 8
  expand(w, SECOND, byte * 64)
}

/**
 * Writes SHA-256(0x01 ‖ left ‖ right) to words[out, out + 8), where left and right are the 8
 * big-endian words of a hash at words[left] and words[right]. `out` may be `left` or `right`.
 */
export function nodeHashWords (words: Int32Array, left: number, right: number, out: number): void {
  // First block: 0x01, the 32 bytes of left, the first 31 of right: every word straddles two.
  w[0] = 0x01000000 | (words[left]! >>> 8)
  for (let i = 1; i < 8; i++) w[i] = (words[left + i - 1]! << 24) | (words[left + i]! >>> 8)
  w[8] = (words[left + 7]! << 24) | (words[right]! >>> 8)
  for (let i = 1; i < 8; i++) w[8 + i] = (words[right + i - 1]! << 24) | (words[right + i]! >>> 8)
  const last = words[right + 7]! & 0xff
  expand(w, kw, 0)
  state.set(IV)
  rounds(state, 0, kw, 0)
  rounds(state, 0, SECOND, last * 64)
  words.set(state, out)
}

/** The 8 big-endian words of a 32-byte hash, written to words[at, at + 8). */
export function readWords (hash: Uint8Array, words: Int32Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const o = i * 4
    words[at + i] = (hash[o]! << 24) | (hash[o + 1]! << 16) | (hash[o + 2]! << 8) | hash[o + 3]!
  }
}

/** The 32 bytes of the hash at words[at, at + 8). */
export function wordsToBytes (words: Int32Array, at: number): Buffer {
  const out = Buffer.allocUnsafe(32)
  for (let i = 0; i < 8; i++) out.writeInt32BE(words[at + i]!, i * 4)
  return out
}

const BASE64 = new Int32Array(256)
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => { BASE64[c.charCodeAt(0)] = i })

/**
 * The 8 big-endian words of a hash spelled in base64 at text[at, at + 44), written to
 * words[out, out + 8). The spelling must be canonical and is not checked (the caller compared it
 * with node:crypto's): 43 characters of 6 bits carry the 256 bits and 2 zero bits, then '='.
 */
export function readBase64Words (text: Uint8Array, at: number, words: Int32Array, out: number): void {
  let acc = 0 // the low `bits` bits are the start of the next word
  let bits = 0
  let o = out
  for (let i = at; o < out + 8; i++) {
    const v = BASE64[text[i]!]!
    if (bits + 6 < 32) {
      acc = (acc << 6) | v
      bits += 6
    } else {
      const take = 32 - bits // 2, 4 or 6 bits complete the word
      words[o++] = (acc << take) | (v >>> (6 - take))
      bits = 6 - take
      acc = v & ((1 << bits) - 1)
    }
  }
}
