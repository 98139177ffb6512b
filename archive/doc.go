// Package archive is chatseal's append-only store: the object-store
// interface and its fs and s3 backends, the spool, the segment format, the
// Merkle leaf hashes and signed checkpoints, and inclusion proofs.
//
// # Guarantees
//
// A segment is one immutable object, <tenant>/segments/<account>/<yyyy>/<mm>/<ulid>.jsonl.zst.age:
// JSON Lines of message records (package chat), compressed with zstd and
// encrypted with age to every recipient of the keyring. It is written once
// under a fresh ULID with a conditional PUT and never rewritten or appended
// to. On a bucket with S3 Object Lock it carries a retain-until date, so the
// store itself refuses to delete it early. Anyone holding an identity can
// read a segment with standard tools (age -d, zstd -d).
//
// Every record is a leaf of the tenant's Merkle log, RFC 6962 hashing, leaf
// index = the record's seq: SHA-256(0x00 || record line). A checkpoint,
// <tenant>/checkpoints/<size>.note, is the log's size and root hash signed
// with Ed25519 in the signed-note format; an InclusionProof shows one record
// is in the log a checkpoint signs.
//
// # Write protocol
//
// A message is acknowledged once it is in the spool: a Pebble batch written
// with fsync. From there a flush moves spooled messages into segments in
// these steps, each safe to repeat, and a crash between any two neither
// loses nor duplicates a message:
//
//  1. Plan: group the spooled messages by account and month, order them by
//     time, assign seqs from the catalog's next seq and a ULID per segment.
//  2. Intent: record, fsynced in the catalog, each planned segment (id, key,
//     first seq, count, lock) with the ids of its messages in order.
//  3. PUT each segment (If-None-Match; an existing object with the same
//     SHA-256 counts as written, which covers a client retry after a lost
//     response).
//  4. Commit, fsynced in the catalog and in one batch: segment rows, message
//     rows, dedup keys, leaf hashes and the grown Merkle tree, and the removal
//     of the intents.
//  5. Remove the messages from the spool (fsync).
//  6. Sign and store a checkpoint of the new tree size (If-None-Match).
//  7. Index the messages and mark their segments indexed.
//
// On open, recovery settles every intent left by a crash, in seq order: a
// segment whose object exists is adopted, that is, read back and committed
// as step 4 would; one whose object is missing is redone from the spooled
// messages its intent lists, with the same id and seqs, so the log never
// has a gap whichever PUTs of a flush finished. Spooled messages whose
// dedup key is already committed are dropped from the spool (a crash
// between steps 4 and 5), a checkpoint is signed if the newest one is older
// than the tree (between 5 and 6), and committed segments not marked
// indexed are indexed again from the archive (between 6 and 7).
//
// The catalog and the index are derived: rebuild recreates both, Merkle
// hashes included, from the segments and the keys alone.
package archive
