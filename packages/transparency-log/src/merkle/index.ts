// Public API of the audit log's Merkle tree (RFC 6962 / RFC 9162).
export { HASH_SIZE, emptyRoot, hashesEqual, leafHash, nodeHash } from './hasher.ts';
export { canonicalEventJson, eventLeafHash } from './event-leaf.ts';
export { MemoryNodeStore, readNodes } from './node-store.ts';
export type { NodeId, NodeReader, NodeWriter, StoredNode } from './node-store.ts';
export { appendLeaves, appendToRange, readRange } from './append.ts';
export type { AppendResult } from './append.ts';
export { foldPerfectSubtrees, rootAt } from './root.ts';
export { inclusionProof, inclusionProofs, verifyInclusion } from './inclusion.ts';
export { consistencyProof, verifyConsistency } from './consistency.ts';
export { frontier, height, perfectCover } from './tree-shape.ts';
