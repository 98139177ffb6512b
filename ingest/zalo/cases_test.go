package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// casesDir holds the chatcase/1 cases for zca-js capture files: each input
// with an expected file that states the correct parse.
const casesDir = "../../testdata/zalo"

// Keys of the expected files that the case test does not check, with the
// reason. Any other key without a check fails the test, so that a new
// expectation cannot be skipped unnoticed.
var (
	uncheckedCaseKeys = map[string]string{
		"schema":  "always chatcase/1; it names the file format, not a result",
		"case_id": "names the subtest",
		"format":  "names the importer under test",
		"inputs":  "read to run the importer",
		"options": "read to run the importer",
		"sources": "documentation of where the case comes from",
		"notes":   "documentation of what the case tests",
	}
	uncheckedMessageKeys = map[string]string{
		"sent_at_precision": "chat.Message does not record the precision of SentAt",
		"reaction_unicode":  "Reaction keeps Zalo's own code; mapping it to an emoji is left to display",
	}
	uncheckedConversationKeys = map[string]string{
		"thread_type": "the input's threadType, checked through kind",
		"messages":    "checked message by message",
	}
)

// caseFile is an expected file with its members kept raw, so that the test
// can tell an absent key from null.
type caseFile map[string]json.RawMessage

func TestReader_Cases(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(casesDir, "*.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no *.expected.json in %s", casesDir)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".expected.json")
		t.Run(name, func(t *testing.T) {
			runCase(t, path)
		})
	}
}

func runCase(t *testing.T, path string) {
	var expected caseFile
	readJSONFile(t, path, &expected)
	for key := range expected {
		if !caseKeyChecked(key) {
			t.Errorf("expected file has key %q, which the test neither checks nor lists as unchecked", key)
		}
	}

	var inputs []string
	decodeInto(t, "inputs", expected["inputs"], &inputs)
	var options struct {
		AccountUID string `json:"account_uid"`
	}
	decodeInto(t, "options", expected["options"], &options)
	opts := ingest.Options{Account: "test", AccountUID: options.AccountUID}

	var msgs []*chat.Message
	var lines [][]byte
	for _, input := range inputs {
		file := filepath.Join(filepath.Dir(path), input)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte("\n"))...)
		got, bad := readAll(t, bytes.NewReader(data), input, opts)
		if outcomeOK(t, expected) {
			for _, b := range bad {
				t.Errorf("bad record in an ok case: %v", b)
			}
		}
		msgs = append(msgs, got...)
	}

	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].SentAt.Before(msgs[j].SentAt) })
	threads := threadsByConversation(msgs)

	var conversations []caseFile
	if raw, ok := expected["conversations"]; ok {
		decodeInto(t, "conversations", raw, &conversations)
	} else {
		var single caseFile
		decodeInto(t, "conversation", expected["conversation"], &single)
		single["messages"] = expected["messages"]
		conversations = []caseFile{single}
	}
	if len(threads) != len(conversations) {
		t.Errorf("got %d conversations %v, want %d", len(threads), conversationIDs(threads), len(conversations))
	}

	var gotWarnings []caseWarning
	for _, conv := range conversations {
		views := checkConversation(t, conv, threads, lines)
		for i, v := range views {
			for _, code := range v.Warnings {
				gotWarnings = append(gotWarnings, caseWarning{Code: code, Seq: i + 1})
			}
		}
	}
	if raw, ok := expected["warnings"]; ok {
		var want []caseWarning
		decodeInto(t, "warnings", raw, &want)
		checkWarnings(t, gotWarnings, want)
	}
}

func caseKeyChecked(key string) bool {
	switch key {
	case "outcome", "conversation", "conversations", "messages", "warnings":
		return true
	}
	_, listed := uncheckedCaseKeys[key]
	return listed
}

func outcomeOK(t *testing.T, expected caseFile) bool {
	raw, ok := expected["outcome"]
	if !ok {
		return true
	}
	var outcome string
	decodeInto(t, "outcome", raw, &outcome)
	if outcome != "ok" {
		t.Fatalf("outcome %q is not supported by this test", outcome)
	}
	return true
}

// thread is the messages of one conversation as chat.BuildThread shows them.
type thread struct {
	id    string
	views []chat.ThreadView
}

// threadsByConversation groups msgs by conversation, in order of each
// conversation's first message, and builds each thread.
func threadsByConversation(msgs []*chat.Message) []thread {
	var order []string
	byID := map[string][]*chat.Message{}
	for _, m := range msgs {
		if _, seen := byID[m.Conversation]; !seen {
			order = append(order, m.Conversation)
		}
		byID[m.Conversation] = append(byID[m.Conversation], m)
	}
	threads := make([]thread, 0, len(order))
	for _, id := range order {
		threads = append(threads, thread{id: id, views: chat.BuildThread(byID[id])})
	}
	return threads
}

func conversationIDs(threads []thread) []string {
	ids := make([]string, len(threads))
	for i, th := range threads {
		ids[i] = th.id
	}
	return ids
}

// checkConversation compares one expected conversation with the thread of
// the same id and returns that thread's views.
func checkConversation(t *testing.T, conv caseFile, threads []thread, lines [][]byte) []chat.ThreadView {
	t.Helper()
	var id, kind string
	decodeInto(t, "conversation.source_id", conv["source_id"], &id)
	decodeInto(t, "conversation.kind", conv["kind"], &kind)
	for key := range conv {
		_, unchecked := uncheckedConversationKeys[key]
		if key != "source_id" && key != "kind" && !unchecked {
			t.Errorf("conversation %s: key %q has no check", id, key)
		}
	}

	i := slices.IndexFunc(threads, func(th thread) bool { return th.id == id })
	if i < 0 {
		t.Errorf("conversation %s: not found; got conversations %v", id, conversationIDs(threads))
		return nil
	}
	views := threads[i].views

	var want []caseFile
	decodeInto(t, "messages", conv["messages"], &want)
	if len(views) != len(want) {
		t.Errorf("conversation %s: got %d messages, want %d", id, len(views), len(want))
	}
	for j, v := range views {
		if string(v.ConversationKind) != kind {
			t.Errorf("conversation %s, message %d (source_id %s): conversation kind = %q, want %q", id, j+1, v.SourceID, v.ConversationKind, kind)
		}
	}
	for j, w := range want {
		var seq int
		decodeInto(t, "seq", w["seq"], &seq)
		t.Run(fmt.Sprintf("conversation %s seq %d", id, seq), func(t *testing.T) {
			if seq != j+1 {
				t.Fatalf("expected file lists seq %d at position %d", seq, j+1)
			}
			if j >= len(views) {
				t.Fatalf("message missing: only %d messages in the conversation", len(views))
			}
			checkMessage(t, views[j], w, lines)
		})
	}
	return views
}

// checkMessage compares every key of the expected message want with got.
func checkMessage(t *testing.T, got chat.ThreadView, want caseFile, lines [][]byte) {
	for _, key := range sortedKeys(want) {
		raw := want[key]
		if _, unchecked := uncheckedMessageKeys[key]; unchecked {
			continue
		}
		switch key {
		case "seq":
			// Checked by position in checkConversation.
		case "kind":
			var kind string
			decodeInto(t, key, raw, &kind)
			if kind == "media" {
				if !got.Kind.IsMedia() {
					t.Errorf("kind = %q, want a media kind (image, file, voice or video)", got.Kind)
				}
			} else if string(got.Kind) != kind {
				t.Errorf("kind = %q, want %q", got.Kind, kind)
			}
		case "sent_at", "sent_at_utc":
			checkInstant(t, key, &got.SentAt, raw)
		case "recalled_at":
			checkInstant(t, key, got.RecalledAt, raw)
		case "sender_name":
			checkString(t, key, got.Sender.Name, raw)
		case "sender_id":
			checkString(t, key, got.Sender.ID, raw)
		case "source_id":
			checkString(t, key, got.SourceID, raw)
		case "client_id":
			checkString(t, key, got.ClientID, raw)
		case "text":
			checkString(t, key, got.Text, raw)
		case "raw_type":
			checkString(t, key, got.RawType, raw)
		case "index_text":
			checkString(t, key, got.IndexText, raw)
		case "direction":
			checkString(t, key, string(got.Direction), raw)
		case "reply_to_source_id":
			checkString(t, key, got.ReplyTo, raw)
		case "target_source_id":
			checkString(t, key, got.Target, raw)
		case "reaction":
			checkString(t, key, got.Reaction, raw)
		case "is_self":
			checkBool(t, key, got.IsSelf(), raw)
		case "reaction_removed":
			checkBool(t, key, got.ReactionRemoved, raw)
		case "warnings":
			var codes []string
			decodeInto(t, key, raw, &codes)
			gotCodes := slices.Sorted(slices.Values(got.Warnings))
			slices.Sort(codes)
			if !slices.Equal(gotCodes, codes) {
				t.Errorf("warnings = %q, want %q", gotCodes, codes)
			}
		case "attachments":
			checkAttachments(t, got.Attachments, raw)
		case "mentions":
			checkMentions(t, got.Text, got.Mentions, raw)
		case "contact":
			checkContact(t, got.Contact, raw)
		case "call":
			checkCall(t, got.Call, raw)
		case "quote":
			checkQuote(t, got.Quote, raw)
		case "raw_preserved":
			var preserved bool
			decodeInto(t, key, raw, &preserved)
			if preserved {
				checkRawPreserved(t, got.Message, lines)
			}
		default:
			t.Errorf("expected key %q has no check", key)
		}
	}
}

func checkAttachments(t *testing.T, got []chat.Attachment, raw json.RawMessage) {
	t.Helper()
	var want []caseFile
	decodeInto(t, "attachments", raw, &want)
	if len(got) != len(want) {
		t.Errorf("got %d attachments, want %d", len(got), len(want))
		return
	}
	for i, w := range want {
		a := got[i]
		for _, key := range sortedKeys(w) {
			field := fmt.Sprintf("attachments[%d].%s", i, key)
			raw := w[key]
			switch key {
			case "kind":
				checkString(t, field, a.Kind, raw)
			case "name":
				checkString(t, field, a.Name, raw)
			case "uri":
				checkString(t, field, a.URI, raw)
			case "mime":
				checkString(t, field, a.MIME, raw)
			case "absent_reason":
				checkString(t, field, a.AbsentReason, raw)
			case "checksum_md5":
				checkString(t, field, a.ChecksumMD5, raw)
			case "ext":
				checkString(t, field, a.Ext, raw)
			case "title":
				checkString(t, field, a.Title, raw)
			case "description":
				checkString(t, field, a.Description, raw)
			case "sticker_id":
				checkString(t, field, a.StickerID, raw)
			case "category_id":
				checkString(t, field, a.CategoryID, raw)
			case "width":
				checkInt(t, field, int64(a.Width), raw)
			case "height":
				checkInt(t, field, int64(a.Height), raw)
			case "size_bytes":
				checkOptionalInt(t, field, a.Size, raw)
			case "present":
				checkOptionalBool(t, field, a.Present, raw)
			case "alt_uris":
				var uris []string
				decodeInto(t, field, raw, &uris)
				if !slices.Equal(a.AltURIs, uris) {
					t.Errorf("%s = %q, want %q", field, a.AltURIs, uris)
				}
			default:
				t.Errorf("expected key %s has no check", field)
			}
		}
	}
}

func checkMentions(t *testing.T, text string, got []chat.Mention, raw json.RawMessage) {
	t.Helper()
	var want []caseFile
	decodeInto(t, "mentions", raw, &want)
	if len(got) != len(want) {
		t.Errorf("got %d mentions %+v, want %d", len(got), got, len(want))
		return
	}
	runes := []rune(text)
	for i, w := range want {
		m := got[i]
		for _, key := range sortedKeys(w) {
			field := fmt.Sprintf("mentions[%d].%s", i, key)
			raw := w[key]
			switch key {
			case "user_id":
				checkString(t, field, m.UserID, raw)
			case "all_members":
				checkBool(t, field, m.AllMembers, raw)
			case "offset_cp":
				checkInt(t, field, int64(m.Offset), raw)
			case "length_cp":
				checkInt(t, field, int64(m.Length), raw)
			case "mention_text":
				var mentionText string
				decodeInto(t, field, raw, &mentionText)
				if m.Offset < 0 || m.Length < 0 || m.Offset+m.Length > len(runes) {
					t.Errorf("%s: span [%d, %d) is outside the text of %d code points", field, m.Offset, m.Offset+m.Length, len(runes))
					continue
				}
				if span := string(runes[m.Offset : m.Offset+m.Length]); span != mentionText {
					t.Errorf("%s: text[%d:%d] = %q, want %q", field, m.Offset, m.Offset+m.Length, span, mentionText)
				}
			default:
				t.Errorf("expected key %s has no check", field)
			}
		}
	}
}

func checkContact(t *testing.T, got *chat.Contact, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("contact = %+v, want null", got)
		}
		return
	}
	if got == nil {
		t.Errorf("contact = nil, want %s", raw)
		return
	}
	var want caseFile
	decodeInto(t, "contact", raw, &want)
	for _, key := range sortedKeys(want) {
		field := "contact." + key
		switch key {
		case "name":
			checkString(t, field, got.Name, want[key])
		case "phone":
			checkString(t, field, got.Phone, want[key])
		case "user_id":
			checkString(t, field, got.UserID, want[key])
		case "raw_params":
			checkString(t, field, got.RawParams, want[key])
		default:
			t.Errorf("expected key %s has no check", field)
		}
	}
}

func checkCall(t *testing.T, got *chat.Call, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("call = %+v, want null", got)
		}
		return
	}
	if got == nil {
		t.Errorf("call = nil, want %s", raw)
		return
	}
	var want caseFile
	decodeInto(t, "call", raw, &want)
	for _, key := range sortedKeys(want) {
		field := "call." + key
		switch key {
		case "duration_seconds":
			checkInt(t, field, got.DurationSeconds, want[key])
		case "raw_calltype":
			checkInt(t, field, got.RawCallType, want[key])
		default:
			t.Errorf("expected key %s has no check", field)
		}
	}
}

func checkQuote(t *testing.T, got *chat.Quote, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("quote = %+v, want null", got)
		}
		return
	}
	if got == nil {
		t.Errorf("quote = nil, want %s", raw)
		return
	}
	var want caseFile
	decodeInto(t, "quote", raw, &want)
	for _, key := range sortedKeys(want) {
		field := "quote." + key
		switch key {
		case "owner_id":
			checkString(t, field, got.OwnerID, want[key])
		case "text":
			checkString(t, field, got.Text, want[key])
		case "from_name":
			checkString(t, field, got.FromName, want[key])
		case "attach":
			checkString(t, field, got.Attach, want[key])
		default:
			t.Errorf("expected key %s has no check", field)
		}
	}
}

// checkRawPreserved checks that Raw is the input line that holds the
// message, byte for byte.
func checkRawPreserved(t *testing.T, m *chat.Message, lines [][]byte) {
	t.Helper()
	if len(m.Raw) == 0 {
		t.Errorf("raw is empty, want the input line")
		return
	}
	marker := []byte(`"msgId": "` + m.SourceID + `"`)
	for _, line := range lines {
		if bytes.Contains(line, marker) {
			if !bytes.Equal(m.Raw, line) {
				t.Errorf("raw differs from the input line:\n got  %s\n want %s", m.Raw, line)
			}
			return
		}
	}
	t.Errorf("no input line holds msgId %s", m.SourceID)
}

// caseWarning is a top-level warning of an expected file.
type caseWarning struct {
	Code string `json:"code"`
	Seq  int    `json:"seq"`
}

func checkWarnings(t *testing.T, got, want []caseWarning) {
	t.Helper()
	less := func(a, b caseWarning) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	}
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if !slices.Equal(got, want) {
		t.Errorf("warnings = %+v, want %+v", got, want)
	}
}

func checkString(t *testing.T, field, got string, raw json.RawMessage) {
	t.Helper()
	var want string
	if !isJSONNull(raw) {
		decodeInto(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func checkBool(t *testing.T, field string, got bool, raw json.RawMessage) {
	t.Helper()
	var want bool
	if !isJSONNull(raw) {
		decodeInto(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func checkInt(t *testing.T, field string, got int64, raw json.RawMessage) {
	t.Helper()
	var want int64
	if !isJSONNull(raw) {
		decodeInto(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %d, want %d", field, got, want)
	}
}

func checkOptionalInt(t *testing.T, field string, got *int64, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("%s = %d, want null", field, *got)
		}
		return
	}
	var want int64
	decodeInto(t, field, raw, &want)
	if got == nil {
		t.Errorf("%s = nil, want %d", field, want)
		return
	}
	if *got != want {
		t.Errorf("%s = %d, want %d", field, *got, want)
	}
}

func checkOptionalBool(t *testing.T, field string, got *bool, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("%s = %v, want null", field, *got)
		}
		return
	}
	var want bool
	decodeInto(t, field, raw, &want)
	if got == nil {
		t.Errorf("%s = nil, want %v", field, want)
		return
	}
	if *got != want {
		t.Errorf("%s = %v, want %v", field, *got, want)
	}
}

// checkInstant compares got with an RFC 3339 time as instants, so the offset
// the expected file writes does not matter.
func checkInstant(t *testing.T, field string, got *time.Time, raw json.RawMessage) {
	t.Helper()
	if isJSONNull(raw) {
		if got != nil {
			t.Errorf("%s = %v, want null", field, got.Format(time.RFC3339Nano))
		}
		return
	}
	var text string
	decodeInto(t, field, raw, &text)
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

func isJSONNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func decodeInto(t *testing.T, field string, raw json.RawMessage, dst any) {
	t.Helper()
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("expected file: key %s: %v", field, err)
	}
}

func readJSONFile(t *testing.T, path string, dst any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sortedKeys(m caseFile) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readAll reads every message and bad record of input. Any other error ends
// the test.
func readAll(t testing.TB, input io.Reader, file string, opts ingest.Options) ([]*chat.Message, []*ingest.BadRecord) {
	t.Helper()
	r := NewReader(input, file, opts)
	var msgs []*chat.Message
	var bad []*ingest.BadRecord
	for {
		m, err := r.Next()
		if err == io.EOF {
			return msgs, bad
		}
		var br *ingest.BadRecord
		if errors.As(err, &br) {
			bad = append(bad, br)
			continue
		}
		if err != nil {
			t.Fatalf("%s: Next: %v", file, err)
		}
		msgs = append(msgs, m)
	}
}
