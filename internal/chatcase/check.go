package chatcase

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// Check compares res with every key of the case's expected file.
//
// Messages are sorted by time (ties keep input order), grouped by
// conversation in order of first appearance, and turned into threads with
// chat.BuildThread, so that a recall or reaction shows on its target.
func (c *Case) Check(t *testing.T, res *Result, cfg Config) {
	t.Helper()
	exp := c.Expected
	for _, key := range SortedKeys(exp) {
		switch key {
		case "outcome", "conversation", "conversations", "messages", "warnings", "after_each_import_total":
			continue
		}
		if cfg.unchecked("case", key) {
			continue
		}
		if cfg.Case != nil && c.caseHook(t, key, res, cfg) {
			continue
		}
		t.Errorf("expected file has key %q, which the test neither checks nor lists as unchecked", key)
	}
	if raw, ok := exp["outcome"]; ok {
		var outcome string
		Decode(t, "outcome", raw, &outcome)
		if outcome != "ok" {
			t.Fatalf("outcome %q is not supported", outcome)
		}
	}
	for _, b := range res.Bad {
		t.Errorf("bad record in an ok case: %v", b)
	}

	threads := Threads(res.Messages)
	var conversations []Object
	if raw, ok := exp["conversations"]; ok {
		Decode(t, "conversations", raw, &conversations)
	} else {
		single := Object{}
		if raw, ok := exp["conversation"]; ok {
			Decode(t, "conversation", raw, &single)
		}
		single["messages"] = exp["messages"]
		conversations = []Object{single}
	}
	if len(threads) != len(conversations) {
		t.Errorf("got %d conversations %v, want %d", len(threads), threadIDs(threads), len(conversations))
	}

	var got []ingest.Warning
	for i, conv := range conversations {
		th := matchThread(t, conv, threads, i)
		if th == nil {
			continue
		}
		c.checkConversation(t, conv, th, cfg)
		for j, v := range th.Views {
			for _, code := range v.Warnings {
				got = append(got, ingest.Warning{Code: code, SourceID: v.SourceID, Index: j + 1})
			}
		}
	}
	if raw, ok := exp["warnings"]; ok {
		var want []Object
		Decode(t, "warnings", raw, &want)
		checkWarnings(t, got, res.Warnings, want)
	}
	if raw, ok := exp["after_each_import_total"]; ok {
		var want []int
		Decode(t, "after_each_import_total", raw, &want)
		if !slices.Equal(res.Totals, want) {
			t.Errorf("after_each_import_total = %v, want %v", res.Totals, want)
		}
	}
}

func (c *Case) caseHook(t *testing.T, key string, res *Result, cfg Config) bool {
	threads := Threads(res.Messages)
	views := make([][]chat.ThreadView, len(threads))
	for i, th := range threads {
		views[i] = th.Views
	}
	return cfg.Case(t, key, c.Expected[key], res, views)
}

// Thread is the messages of one conversation as chat.BuildThread shows them.
type Thread struct {
	ID    string
	Views []chat.ThreadView
}

// Threads sorts msgs by time, stably, groups them by conversation in order
// of first appearance and builds each thread.
func Threads(msgs []*chat.Message) []Thread {
	sorted := slices.Clone(msgs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].SentAt.Before(sorted[j].SentAt) })
	var order []string
	byID := map[string][]*chat.Message{}
	for _, m := range sorted {
		if _, seen := byID[m.Conversation]; !seen {
			order = append(order, m.Conversation)
		}
		byID[m.Conversation] = append(byID[m.Conversation], m)
	}
	threads := make([]Thread, 0, len(order))
	for _, id := range order {
		threads = append(threads, Thread{ID: id, Views: chat.BuildThread(byID[id])})
	}
	return threads
}

func threadIDs(threads []Thread) []string {
	ids := make([]string, len(threads))
	for i, th := range threads {
		ids[i] = th.ID
	}
	return ids
}

// matchThread finds the thread of conversation conv: by source_id when the
// case gives one, else by position.
func matchThread(t *testing.T, conv Object, threads []Thread, i int) *Thread {
	t.Helper()
	if raw, ok := conv["source_id"]; ok && !IsNull(raw) {
		var id string
		Decode(t, "conversation.source_id", raw, &id)
		for k := range threads {
			if threads[k].ID == id {
				return &threads[k]
			}
		}
		t.Errorf("conversation %s: not found; got conversations %v", id, threadIDs(threads))
		return nil
	}
	if i < len(threads) {
		return &threads[i]
	}
	t.Errorf("conversation %d: not found; got %d conversations", i+1, len(threads))
	return nil
}

func (c *Case) checkConversation(t *testing.T, conv Object, th *Thread, cfg Config) {
	t.Helper()
	for _, key := range SortedKeys(conv) {
		raw := conv[key]
		switch key {
		case "messages", "source_id":
		case "kind":
			var kind string
			Decode(t, "conversation.kind", raw, &kind)
			for j, v := range th.Views {
				if string(v.ConversationKind) != kind {
					t.Errorf("conversation %s, message %d: conversation kind = %q, want %q", th.ID, j+1, v.ConversationKind, kind)
				}
			}
		case "title":
			for j, v := range th.Views {
				if !StringEqual(v.ConversationTitle, raw) {
					t.Errorf("conversation %s, message %d: title = %q, want %s", th.ID, j+1, v.ConversationTitle, raw)
				}
			}
		default:
			if cfg.unchecked("conversation", key) {
				continue
			}
			if cfg.Conversation != nil && cfg.Conversation(t, key, raw, th.Views) {
				continue
			}
			t.Errorf("conversation %s: key %q has no check", th.ID, key)
		}
	}

	var want []Object
	Decode(t, "messages", conv["messages"], &want)
	if len(th.Views) != len(want) {
		t.Errorf("conversation %s: got %d messages, want %d", th.ID, len(th.Views), len(want))
	}
	for j, w := range want {
		var seq int
		Decode(t, "seq", w["seq"], &seq)
		t.Run(fmt.Sprintf("conversation %s seq %d", th.ID, seq), func(t *testing.T) {
			if seq != j+1 {
				t.Fatalf("expected file lists seq %d at position %d", seq, j+1)
			}
			if j >= len(th.Views) {
				t.Fatalf("message missing: only %d messages in the conversation", len(th.Views))
			}
			checkMessage(t, th.Views[j], w, cfg)
		})
	}
}

// StringEqual reports whether got equals the JSON string want, null
// standing for "".
func StringEqual(got string, want json.RawMessage) bool {
	var s string
	if !IsNull(want) {
		if err := json.Unmarshal(want, &s); err != nil {
			return false
		}
	}
	return got == s
}

// checkWarnings matches each expected warning with one reported warning
// that agrees on every key the expectation gives. Per-message warnings
// (code, seq, source_id) count unless an input-level warning with the same
// code and source id covers them. Every reported warning must be expected.
func checkWarnings(t *testing.T, perMessage, input []ingest.Warning, want []Object) {
	t.Helper()
	type item struct {
		w    ingest.Warning
		seq  int
		used bool
	}
	var got []*item
	for _, w := range input {
		got = append(got, &item{w: w})
	}
	for _, w := range perMessage {
		covered := slices.ContainsFunc(input, func(in ingest.Warning) bool {
			return in.Code == w.Code && in.SourceID != "" && in.SourceID == w.SourceID
		})
		if !covered {
			seq := w.Index
			w.Index = 0
			got = append(got, &item{w: w, seq: seq})
		}
	}
	for _, exp := range want {
		found := false
		for _, g := range got {
			if !g.used && warningMatches(t, exp, g.w, g.seq) {
				g.used, found = true, true
				break
			}
		}
		if !found {
			t.Errorf("expected warning %s not reported; reported: %s", compact(exp), describe(got, func(g *item) string { return fmt.Sprintf("%+v seq=%d", g.w, g.seq) }))
		}
	}
	for _, g := range got {
		if !g.used {
			t.Errorf("unexpected warning %+v (seq %d)", g.w, g.seq)
		}
	}
}

func warningMatches(t *testing.T, exp Object, w ingest.Warning, seq int) bool {
	for key, raw := range exp {
		var ok bool
		switch key {
		case "code":
			ok = StringEqual(w.Code, raw)
		case "source_id":
			ok = StringEqual(w.SourceID, raw)
		case "field":
			ok = StringEqual(w.Field, raw)
		case "file":
			ok = StringEqual(w.File, raw) || strings.HasSuffix(w.File, "/"+jsonString(raw))
		case "seq":
			ok = jsonInt(raw) == int64(seq)
		case "index":
			ok = jsonInt(raw) == int64(w.Index)
		case "count":
			ok = jsonInt(raw) == int64(w.Count)
		default:
			t.Errorf("expected warning key %q has no check", key)
		}
		if !ok {
			return false
		}
	}
	return true
}

func jsonString(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func jsonInt(raw json.RawMessage) int64 {
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return -1
	}
	return n
}

func compact(o Object) string {
	b, _ := json.Marshal(o)
	return string(b)
}

func describe[T any](list []T, f func(T) string) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = f(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// checkInstant compares got with an RFC 3339 time as instants.
func checkInstant(t *testing.T, field string, got *time.Time, raw json.RawMessage) {
	t.Helper()
	if IsNull(raw) {
		if got != nil {
			t.Errorf("%s = %v, want null", field, got.Format(time.RFC3339Nano))
		}
		return
	}
	var text string
	Decode(t, field, raw, &text)
	want, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		t.Fatalf("expected %s %q: %v", field, text, err)
	}
	if got == nil {
		t.Errorf("%s = nil, want %s", field, text)
		return
	}
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", field, got.Format(time.RFC3339Nano), text)
	}
}
