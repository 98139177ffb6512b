// Package audit keeps the tamper-evident audit log: one event for each
// search, content view, export and change, and for each job that the system
// runs, such as a rebuild.
//
// The log is a hash chain. Every event carries the SHA-256 of the JSON line
// of the event before it (the first event carries an empty prev), so that
// changing, removing or reordering an event breaks the chain at the next
// one. Events are written to the archive in objects that are never
// rewritten:
//
//	<tenant>/audit/<yyyy>/<mm>/<ulid>.jsonl.zst.age
//
// each holding the JSON lines of one Append, compressed with zstd. The
// caller's Store encrypts them, like segments. The key of a later object
// sorts after the key of an earlier one, so the chain is the objects in key
// order.
//
// The head of the chain (the last object and the hash of its last event) is
// kept by the caller, in the catalog. Verify compares the chain with it, which
// detects the removal of the newest objects as long as the head itself is
// intact. On a bucket with Object Lock the objects are written with a
// retention, and the bucket rejects their removal until it ends.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Action names what an event records. The names are stable: auditors filter
// on them.
type Action string

// Actions that the vault records.
const (
	// ActionSearch is a search; Query holds the query and Targets the
	// messages whose text was returned.
	ActionSearch Action = "search"
	// ActionViewConversation is the reading of a conversation's thread.
	ActionViewConversation Action = "view_conversation"
	// ActionViewAttachment is the reading of an attachment's bytes.
	ActionViewAttachment Action = "view_attachment"
	// ActionProve is an inclusion proof produced for a message.
	ActionProve Action = "prove"
	// ActionTag is a change of reviewer tags.
	ActionTag Action = "tag"
	// ActionImport is an import of chat history.
	ActionImport Action = "import"
	// ActionRecover is the commit, when the archive opens, of segments
	// whose flush a crash interrupted.
	ActionRecover Action = "recover"
	// ActionRebuild is a rebuild of the catalog and index from the archive.
	ActionRebuild Action = "rebuild"
	// ActionCompact is a compaction of the search index.
	ActionCompact Action = "compact"
	// ActionVerify is a check of the archive against the catalog.
	ActionVerify Action = "verify"
	// ActionKeys is a change of the archive keys: a rotation, an added
	// recipient, a passphrase.
	ActionKeys Action = "keys"
	// ActionReadAudit is a reading or check of this audit log.
	ActionReadAudit Action = "read_audit"
)

// Actions lists every action.
var Actions = []Action{
	ActionSearch, ActionViewConversation, ActionViewAttachment, ActionProve, ActionTag, ActionKeys,
	ActionImport, ActionRecover, ActionRebuild, ActionCompact, ActionVerify, ActionReadAudit,
}

// Outcome records whether the action succeeded.
type Outcome string

// Outcomes of an event.
const (
	OK     Outcome = "ok"
	Failed Outcome = "failed"
)

// Event is one recorded action of a user or of the system.
type Event struct {
	// ID is a lowercase ULID, assigned by Append.
	ID string `json:"id"`
	// At is when the action ended, in UTC, assigned by Append when zero.
	At time.Time `json:"at"`
	// Actor identifies who acted: "cli:<user>@<host>" for the command line,
	// "system" for work that no user started.
	Actor   string  `json:"actor"`
	Action  Action  `json:"action"`
	Outcome Outcome `json:"outcome"`
	// Error is the stable code or the message of the failure, when Outcome
	// is Failed.
	Error string `json:"error,omitempty"`
	// Query is the search query as the user typed it.
	Query string `json:"query,omitempty"`
	// Scope describes the limits a search ran within, as "custodian:lan".
	Scope []string `json:"scope,omitempty"`
	// Targets are the ids that the action read or changed: message ids,
	// conversations as "<account>/<conversation>", attachments as
	// "sha256:<hex>".
	Targets []string `json:"targets,omitempty"`
	// Results counts what the action found or processed, such as the total
	// hits of a search.
	Results *int64 `json:"results,omitempty"`
	// Details holds further facts of the action, such as an import's
	// source and account.
	Details map[string]string `json:"details,omitempty"`
	// Prev is the hex SHA-256 of the previous event's JSON line, empty for
	// the first event of the log.
	Prev string `json:"prev"`
}

// Head is the end of the chain.
type Head struct {
	// Object is the key of the last object, empty when the log is empty.
	Object string `json:"object,omitempty"`
	// Hash is the hex SHA-256 of the last event's JSON line.
	Hash string `json:"hash,omitempty"`
	// Events counts the events of the log.
	Events int64 `json:"events"`
}

// Store is the part of the archive that the log uses. Put encrypts the
// data and fails with an error wrapping ErrExist when the key exists. Get
// returns the decrypted data, or an error wrapping ErrNotExist for a
// missing key and ErrBroken when decryption fails its authentication, as
// for a changed object. List calls fn with every key under prefix, in any
// order.
type Store interface {
	Put(ctx context.Context, key string, data []byte, at time.Time) error
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context, prefix string, fn func(key string) error) error
}

// Errors of the Store, as the caller's store reports them.
var (
	ErrExist    = errors.New("audit object already exists")
	ErrNotExist = errors.New("audit object does not exist")
)

// ErrBroken is wrapped by the error of Verify for a chain that does not
// hold together.
var ErrBroken = errors.New("audit chain broken")

// hashLine returns the hex SHA-256 of one JSON line, without its newline.
func hashLine(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// Prefix returns the key prefix of a tenant's audit objects.
func Prefix(tenant string) string { return tenant + "/audit/" }

// objectSuffix ends the key of every audit object.
const objectSuffix = ".jsonl.zst.age"
