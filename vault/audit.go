package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"chatseal/archive"
	"chatseal/audit"
)

// Every search, content view, proof, tag change, key change, import,
// recovery, rebuild, compaction and verification is an audit event (see
// package audit). The vault records it before it returns the content, and
// an operation whose event cannot be written fails with ErrAudit: nothing
// is shown that the log does not hold.

// ErrAudit is wrapped by the error of an operation whose audit event could
// not be written.
var ErrAudit = errors.New("audit event not recorded")

type actorKey struct{}

// WithActor returns a context that names who acts, for the audit events of
// the vault calls made with it. The command line passes
// "cli:<user>@<host>". A call without an actor is recorded as SystemActor.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// SystemActor is the actor of calls whose context names none.
const SystemActor = "system"

func actorOf(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return SystemActor
}

// record appends an event for an action that ended with err, filling in
// the actor and the outcome. It returns err, joined with an error wrapping
// ErrAudit when the event could not be written.
//
// NOTE: each event is an object and a PUT of its own, which suits the
// command line. A server that handles many searches a second would batch the
// events of concurrent requests into one Append.
func (v *Vault) record(ctx context.Context, e audit.Event, err error) error {
	e.Actor = actorOf(ctx)
	e.Outcome = audit.OK
	if err != nil {
		e.Outcome = audit.Failed
		e.Error = err.Error()
	}
	// A cancelled call still leaves its trace.
	if aerr := v.audit.Append(context.WithoutCancel(ctx), e); aerr != nil {
		v.log.Error("audit event not recorded", "action", e.Action, "actor", e.Actor, "err", aerr)
		return errors.Join(err, fmt.Errorf("vault: %w: %w", ErrAudit, aerr))
	}
	return err
}

func count[T int | int64](n T) *int64 {
	c := int64(n)
	return &c
}

// RecordKeyChange records a change of the archive keys that the caller
// made with the vault open, such as a rotation, and its outcome err. It
// returns err, joined with an error wrapping ErrAudit when the event could
// not be written.
func (v *Vault) RecordKeyChange(ctx context.Context, change string, details map[string]string, err error) error {
	e := audit.Event{Action: audit.ActionKeys, Details: map[string]string{"change": change}}
	for k, val := range details {
		if val != "" {
			e.Details[k] = val
		}
	}
	return v.record(ctx, e, err)
}

// openAudit opens the tenant's audit log on the catalog's head.
func (v *Vault) openAudit(ctx context.Context) error {
	var err error
	v.audit, err = audit.Open(ctx, auditStore{v}, auditHeads{v}, v.cfg.Tenant)
	if err != nil {
		return fmt.Errorf("vault: open audit log: %w", err)
	}
	return nil
}

// AuditQuery selects audit events. Zero fields select every event.
type AuditQuery struct {
	// Action keeps the events of one action.
	Action audit.Action
	// Actor keeps the events whose actor contains it.
	Actor string
	// Since keeps the events at or after it.
	Since time.Time
	// Limit keeps the newest that many of the selected events; zero keeps
	// them all.
	Limit int
}

// ErrUnknownAction is wrapped by the error for an AuditQuery whose action
// is not one of audit.Actions.
var ErrUnknownAction = errors.New("unknown audit action")

// AuditEvents returns the audit events that q selects, oldest first, and
// records the reading, with q and the number of events returned, as an
// event of its own.
func (v *Vault) AuditEvents(ctx context.Context, q AuditQuery) ([]audit.Event, error) {
	if q.Action != "" && !slices.Contains(audit.Actions, q.Action) {
		return nil, fmt.Errorf("vault: %w %q", ErrUnknownAction, q.Action)
	}
	out, err := v.auditEvents(ctx, q)
	e := audit.Event{Action: audit.ActionReadAudit, Results: count(len(out)), Details: map[string]string{}}
	if q.Action != "" {
		e.Details["action"] = string(q.Action)
	}
	if q.Actor != "" {
		e.Details["actor"] = q.Actor
	}
	if !q.Since.IsZero() {
		e.Details["since"] = q.Since.In(v.cfg.Location).Format(time.RFC3339)
	}
	if q.Limit > 0 {
		e.Details["limit"] = strconv.Itoa(q.Limit)
	}
	if err := v.record(ctx, e, err); err != nil {
		return nil, err
	}
	return out, nil
}

// auditEvents reads the objects newest first and stops once q.Limit events
// are found or the objects are older than q.Since, so that listing the
// newest events reads a few objects of a long log, not all of them.
func (v *Vault) auditEvents(ctx context.Context, q AuditQuery) ([]audit.Event, error) {
	keys, err := audit.Objects(ctx, auditStore{v}, v.cfg.Tenant)
	if err != nil {
		return nil, err
	}
	// An object's key holds the month of its last event, so an object
	// whose month sorts before q.Since's has no event on or after it.
	var sinceMonth string
	if !q.Since.IsZero() {
		sinceMonth = audit.Prefix(v.cfg.Tenant) + q.Since.UTC().Format("2006/01")
	}
	var newest []audit.Event
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i] < sinceMonth {
			break
		}
		events, err := audit.ObjectEvents(ctx, auditStore{v}, keys[i])
		if err != nil {
			return nil, err
		}
		for j := len(events) - 1; j >= 0; j-- {
			e := events[j]
			if (q.Action != "" && e.Action != q.Action) || !strings.Contains(e.Actor, q.Actor) || e.At.Before(q.Since) {
				continue
			}
			newest = append(newest, e)
			if q.Limit > 0 && len(newest) == q.Limit {
				slices.Reverse(newest)
				return newest, nil
			}
		}
	}
	slices.Reverse(newest)
	return newest, nil
}

// VerifyAudit checks the audit log's hash chain from its first object to
// the head that the catalog keeps, and records the check as a verify
// event. progress, when not nil, is called after each object read.
func (v *Vault) VerifyAudit(ctx context.Context, progress func(done, total int)) (*audit.Report, error) {
	rep, err := audit.Verify(ctx, auditStore{v}, v.cfg.Tenant, v.audit.Head(), progress)
	e := audit.Event{Action: audit.ActionVerify, Details: map[string]string{"check": "audit log"}}
	if rep != nil {
		e.Results = count(rep.Head.Events)
	}
	return rep, v.record(ctx, e, err)
}

// auditStore keeps audit objects in the archive, encrypted to the keyring
// like segments and, on a store with Object Lock, retained as long as a
// segment written at the same time.
type auditStore struct{ v *Vault }

func (s auditStore) Put(ctx context.Context, key string, data []byte, at time.Time) error {
	sealed, err := s.v.keys.Seal(data)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", key, err)
	}
	opts := archive.PutOptions{IfNoneMatch: true, ContentType: "application/age-encrypted"}
	if s.v.objectLock {
		opts.RetainUntil = s.v.cfg.Retention.SegmentRetainUntil(at, at)
		opts.Mode = s.v.cfg.LockMode
	}
	err = s.v.store.Put(ctx, key, bytes.NewReader(sealed), int64(len(sealed)), opts)
	if errors.Is(err, archive.ErrExist) {
		return errors.Join(audit.ErrExist, err)
	}
	return err
}

func (s auditStore) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.v.store.Get(ctx, key)
	if errors.Is(err, archive.ErrNotExist) {
		return nil, errors.Join(audit.ErrNotExist, err)
	}
	if err != nil {
		return nil, err
	}
	sealed, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	// age authenticates what it decrypts, so once the object is read, a
	// failure means that it was changed or is not one of this archive's.
	plain, err := s.v.keys.Decrypt(bytes.NewReader(sealed))
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w: %w", key, audit.ErrBroken, err)
	}
	data, err := io.ReadAll(plain)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w: %w", key, audit.ErrBroken, err)
	}
	return data, nil
}

func (s auditStore) List(ctx context.Context, prefix string, fn func(string) error) error {
	return s.v.store.List(ctx, prefix, func(o archive.ObjectInfo) error { return fn(o.Key) })
}

// auditHeads keeps the audit log's head in the catalog.
type auditHeads struct{ v *Vault }

type storedHeads struct {
	Head    audit.Head  `json:"head"`
	Pending *audit.Head `json:"pending,omitempty"`
}

func (h auditHeads) LoadHead() (audit.Head, *audit.Head, error) {
	data, err := h.v.catalog.AuditHead(h.v.cfg.Tenant)
	if err != nil || data == nil {
		return audit.Head{}, nil, err
	}
	var s storedHeads
	if err := json.Unmarshal(data, &s); err != nil {
		return audit.Head{}, nil, fmt.Errorf("decode audit head: %w", err)
	}
	return s.Head, s.Pending, nil
}

func (h auditHeads) SaveHead(head audit.Head, pending *audit.Head) error {
	data, err := json.Marshal(storedHeads{Head: head, Pending: pending})
	if err != nil {
		return err
	}
	return h.v.catalog.SetAuditHead(h.v.cfg.Tenant, data)
}
