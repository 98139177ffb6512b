package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"chatseal/archive"
	"chatseal/audit"
	"chatseal/catalog"
	"chatseal/index"
)

// Reviewer tags mark messages that an investigation found ("khieu-nai",
// "privileged"), and tag: finds them. The archive is the only source of
// truth, so each tag change is an object of its own,
//
//	<tenant>/tags/<ulid>.json.age
//
// a tagChange in JSON, encrypted to the keyring like a segment and never
// rewritten. The catalog keeps each message's current tags, and the index
// has them in the message's document. A rebuild replays the changes in
// the order of their ids.
//
// NOTE: verify does not read the tag changes, and they are written
// without an Object Lock retention.

// ErrInvalidTag is wrapped by the error for a tag that cannot be used.
var ErrInvalidTag = errors.New("invalid tag")

// MaxTagLength is the longest tag, in characters.
const MaxTagLength = 64

// tagChangeSuffix ends the key of every tag change object.
const tagChangeSuffix = ".json.age"

func tagChangePrefix(tenant string) string { return tenant + "/tags/" }

// tagChange is one tag command: tags added to and removed from messages.
type tagChange struct {
	Version  int       `json:"version"`
	At       time.Time `json:"at"`
	Add      []string  `json:"add,omitempty"`
	Remove   []string  `json:"remove,omitempty"`
	Messages []string  `json:"messages"`
}

const tagChangeVersion = 1

// TagResult is the outcome of a Tag call.
type TagResult struct {
	// Messages counts the messages named; Changed those whose tags changed.
	Messages, Changed int
	// Object is the archive object that records the change.
	Object string
}

// Tag adds tags to and removes tags from the messages with the given IDs.
// Tags are compared and stored in the form index.NormalizeTag gives them.
// The change is written to the archive first, then to the catalog and the
// index, so a Tag that fails can be run again: replaying a change twice
// gives the same tags.
func (v *Vault) Tag(ctx context.Context, ids, add, remove []string) (*TagResult, error) {
	res, err := v.tag(ctx, ids, add, remove)
	e := audit.Event{Action: audit.ActionTag, Targets: ids, Details: map[string]string{}}
	// The event names the tags as they are stored and searched.
	normal := func(tags []string) string {
		out := make([]string, len(tags))
		for i, t := range tags {
			out[i] = index.NormalizeTag(t)
		}
		return strings.Join(out, " ")
	}
	if len(add) > 0 {
		e.Details["add"] = normal(add)
	}
	if len(remove) > 0 {
		e.Details["remove"] = normal(remove)
	}
	if res != nil {
		e.Results = count(res.Changed)
		e.Details["object"] = res.Object
	}
	if err := v.record(ctx, e, err); err != nil {
		return nil, err
	}
	return res, nil
}

func (v *Vault) tag(ctx context.Context, ids, add, remove []string) (*TagResult, error) {
	add, err := normalizeTags(add)
	if err != nil {
		return nil, err
	}
	remove, err = normalizeTags(remove)
	if err != nil {
		return nil, err
	}
	if len(add)+len(remove) == 0 {
		return nil, fmt.Errorf("vault: tag: %w: no tag to add or remove", ErrInvalidTag)
	}
	for _, t := range add {
		if slices.Contains(remove, t) {
			return nil, fmt.Errorf("vault: tag: %w: %q is both added and removed", ErrInvalidTag, t)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil, errors.New("vault: tag: no message id given")
	}
	for _, id := range ids {
		if _, err := v.catalog.Message(v.cfg.Tenant, id); err != nil {
			return nil, fmt.Errorf("vault: tag: %w", err)
		}
	}
	// The index must hold the messages before their documents are
	// replaced with tagged ones.
	if err := v.indexer.wait(); err != nil {
		return nil, fmt.Errorf("vault: tag: indexing failed: %w", err)
	}

	change := tagChange{Version: tagChangeVersion, At: time.Now().UTC(), Add: add, Remove: remove, Messages: ids}
	object, err := v.putTagChange(ctx, change)
	if err != nil {
		return nil, err
	}
	tags := map[string][]string{}
	if err := v.applyTagChange(change, tags); err != nil {
		return nil, err
	}
	changed, err := v.storeTags(tags)
	if err != nil {
		return nil, err
	}
	return &TagResult{Messages: len(ids), Changed: changed, Object: object}, nil
}

// normalizeTags returns tags in their stored form, sorted and without
// repeats, or an error naming the first tag that is empty, too long, or
// holds a space or a control character.
func normalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		n := index.NormalizeTag(t)
		switch {
		case n == "":
			return nil, fmt.Errorf("vault: tag: %w: empty tag", ErrInvalidTag)
		case utf8.RuneCountInString(n) > MaxTagLength:
			return nil, fmt.Errorf("vault: tag: %w: %q is longer than %d characters", ErrInvalidTag, t, MaxTagLength)
		case strings.IndexFunc(n, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			return nil, fmt.Errorf("vault: tag: %w: %q contains a space or a control character; join words with - or _", ErrInvalidTag, t)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// putTagChange writes a tag change to the archive and returns its key.
func (v *Vault) putTagChange(ctx context.Context, change tagChange) (string, error) {
	plain, err := json.Marshal(change)
	if err != nil {
		return "", fmt.Errorf("vault: tag: encode change: %w", err)
	}
	sealed, err := v.keys.Seal(plain)
	if err != nil {
		return "", fmt.Errorf("vault: tag: encrypt change: %w", err)
	}
	key := tagChangePrefix(v.cfg.Tenant) + strings.ToLower(ulid.Make().String()) + tagChangeSuffix
	opts := archive.PutOptions{IfNoneMatch: true, ContentType: "application/age-encrypted"}
	if err := v.store.Put(ctx, key, bytes.NewReader(sealed), int64(len(sealed)), opts); err != nil {
		return "", fmt.Errorf("vault: tag: put %s: %w", key, err)
	}
	return key, nil
}

// applyTagChange applies a change to tags, the messages' tag lists by ID,
// reading from the catalog the list of a message tags does not hold yet.
// A message the catalog does not have is skipped.
func (v *Vault) applyTagChange(change tagChange, tags map[string][]string) error {
	for _, id := range change.Messages {
		current, ok := tags[id]
		if !ok {
			if _, err := v.catalog.Message(v.cfg.Tenant, id); errors.Is(err, catalog.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			var err error
			if current, err = v.catalog.Tags(v.cfg.Tenant, id); err != nil {
				return err
			}
		}
		next := slices.DeleteFunc(slices.Clone(current), func(t string) bool { return slices.Contains(change.Remove, t) })
		next = append(next, change.Add...)
		slices.Sort(next)
		tags[id] = slices.Compact(next)
	}
	return nil
}

// storeTags writes the tag lists to the catalog and indexes their messages
// again with them. It returns how many lists differ from the catalog's.
func (v *Vault) storeTags(tags map[string][]string) (int, error) {
	changed := map[string][]string{}
	var docs []index.Doc
	for id, list := range tags {
		old, err := v.catalog.Tags(v.cfg.Tenant, id)
		if err != nil {
			return 0, err
		}
		if slices.Equal(old, list) {
			continue
		}
		e, err := v.catalog.Message(v.cfg.Tenant, id)
		if err != nil {
			return 0, fmt.Errorf("vault: tag: %w", err)
		}
		changed[id] = list
		docs = append(docs, index.Doc{Message: e.Message, Tags: list})
	}
	if len(changed) == 0 {
		return 0, nil
	}
	if err := v.catalog.SetTags(v.cfg.Tenant, changed); err != nil {
		return 0, err
	}
	if err := v.index.AddTagged(docs); err != nil {
		return 0, fmt.Errorf("vault: tag: index: %w", err)
	}
	return len(changed), nil
}

// replayTags reads every tag change of the archive in the order of its
// id and applies it to the open catalog and index, as a rebuild must. It
// returns the number of changes read.
func (v *Vault) replayTags(ctx context.Context) (int, error) {
	var keys []string
	err := v.store.List(ctx, tagChangePrefix(v.cfg.Tenant), func(o archive.ObjectInfo) error {
		if strings.HasSuffix(o.Key, tagChangeSuffix) {
			keys = append(keys, o.Key)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("vault: rebuild: list tag changes: %w", err)
	}
	slices.Sort(keys)
	tags := map[string][]string{}
	for _, key := range keys {
		change, err := v.readTagChange(ctx, key)
		if err != nil {
			return 0, err
		}
		if err := v.applyTagChange(change, tags); err != nil {
			return 0, err
		}
	}
	if _, err := v.storeTags(tags); err != nil {
		return 0, err
	}
	return len(keys), nil
}

// readTagChange reads and decrypts one tag change object.
func (v *Vault) readTagChange(ctx context.Context, key string) (tagChange, error) {
	var change tagChange
	rc, err := v.store.Get(ctx, key)
	if err != nil {
		return change, fmt.Errorf("vault: read tag change %s: %w", key, err)
	}
	defer rc.Close()
	plain, err := v.keys.Decrypt(rc)
	if err != nil {
		return change, fmt.Errorf("vault: decrypt tag change %s: %w", key, err)
	}
	data, err := io.ReadAll(plain)
	if err != nil {
		return change, fmt.Errorf("vault: decrypt tag change %s: %w", key, err)
	}
	if err := json.Unmarshal(data, &change); err != nil {
		return change, fmt.Errorf("vault: tag change %s: %w", key, err)
	}
	if change.Version != tagChangeVersion {
		return change, fmt.Errorf("vault: tag change %s: version %d, expected %d; use a newer chatseal", key, change.Version, tagChangeVersion)
	}
	return change, nil
}
