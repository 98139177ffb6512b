package zalo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

const (
	testAccountUID  = "8123456789012345678"
	testCustomerUID = "7712345678901234567"
	testGroupID     = "6600000000000000123"
)

var testOptions = ingest.Options{Account: "test", AccountUID: testAccountUID}

// textLine returns a capture line of a direct text message from the customer
// to the archived account.
func textLine(msgID, ts string) string {
	return fmt.Sprintf(`{"event": "message", "threadType": "user", "data": {"msgId": %q, "cliMsgId": "1716000000100", "msgType": "webchat", "uidFrom": %q, "idTo": "0", "dName": "Lan", "ts": %q, "content": "xin chào"}}`,
		msgID, testCustomerUID, ts)
}

// messageLine returns a capture line of one message event whose data object
// has the given members, written as JSON text, after msgId and ts.
func messageLine(threadType, msgID, ts, members string) string {
	return fmt.Sprintf(`{"event": "message", "threadType": %q, "data": {"msgId": %q, "ts": %q, %s}}`, threadType, msgID, ts, members)
}

// readOne reads input, which must yield exactly one message and no bad
// record.
func readOne(t *testing.T, input string, opts ingest.Options) *chat.Message {
	t.Helper()
	msgs, bad := readAll(t, strings.NewReader(input), "one.jsonl", opts)
	for _, b := range bad {
		t.Errorf("unexpected bad record: %v", b)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

func TestReader_BadLines(t *testing.T) {
	good := textLine("7100000000001", "1716000000000")
	valid := textLine("7100000000002", "1716000001000")
	tests := []struct {
		name   string
		line   string
		reason string
	}{
		{
			name:   "truncated line",
			line:   valid[:120],
			reason: "invalid JSON: the line ends inside a value after 120 bytes; it may be truncated",
		},
		{
			name:   "syntax error",
			line:   `{"event": "message", "data": {"msgId" "1"}}`,
			reason: "invalid JSON: syntax error at byte 39 of the line, counting from 1",
		},
		{
			name:   "data after the object",
			line:   valid + ` {}`,
			reason: fmt.Sprintf("invalid JSON: unexpected data after the JSON value that ends at byte %d of the line", len(valid)),
		},
		{
			name:   "array instead of object",
			line:   `[1, 2, 3]`,
			reason: "line: want a JSON object, got array",
		},
		{
			name:   "event missing",
			line:   `{"threadType": "user", "data": {}}`,
			reason: `field "event": missing`,
		},
		{
			name:   "event unknown",
			line:   `{"event": "typing", "threadType": "user", "data": {}}`,
			reason: `field "event": unknown event "typing"; want message, undo, reaction or old_messages`,
		},
		{
			name:   "threadType unknown",
			line:   `{"event": "message", "threadType": "channel", "data": {}}`,
			reason: `field "threadType": want "user" or "group", got "channel"`,
		},
		{
			name:   "threadType missing and no cmd",
			line:   `{"event": "message", "data": {"msgId": "1", "ts": "1716000000000", "uidFrom": "5", "idTo": "0", "msgType": "webchat", "content": "x"}}`,
			reason: `field "threadType": missing, and data.cmd is not 501 (direct) or 521 (group)`,
		},
		{
			name:   "data missing",
			line:   `{"event": "message", "threadType": "user"}`,
			reason: `field "data": missing`,
		},
		{
			name:   "data is a string",
			line:   `{"event": "message", "threadType": "user", "data": "hello"}`,
			reason: `field "data": want an object, got string`,
		},
		{
			name:   "old_messages data is an object",
			line:   `{"event": "old_messages", "threadType": "user", "data": {"msgId": "1"}}`,
			reason: `field "data": want an array of message objects, got object`,
		},
		{
			name:   "msgId missing",
			line:   strings.Replace(valid, `"msgId": "7100000000002", `, "", 1),
			reason: `field "data.msgId": missing`,
		},
		{
			name:   "msgId is a number",
			line:   strings.Replace(valid, `"msgId": "7100000000002"`, `"msgId": 7100000000002`, 1),
			reason: `field "data.msgId": want a string, got number`,
		},
		{
			name:   "msgId empty",
			line:   strings.Replace(valid, `"msgId": "7100000000002"`, `"msgId": ""`, 1),
			reason: `field "data.msgId": empty`,
		},
		{
			name:   "ts missing",
			line:   strings.Replace(valid, `, "ts": "1716000001000"`, "", 1),
			reason: `field "data.ts": missing`,
		},
		{
			name:   "ts is a number",
			line:   strings.Replace(valid, `"ts": "1716000001000"`, `"ts": 1716000001000`, 1),
			reason: `field "data.ts": want a string of epoch milliseconds, got number`,
		},
		{
			name:   "ts is not digits",
			line:   strings.Replace(valid, `"ts": "1716000001000"`, `"ts": "2024-05-18T09:40:00Z"`, 1),
			reason: `field "data.ts": want a string of epoch milliseconds, got "2024-05-18T09:40:00Z"`,
		},
		{
			name:   "ts after the year 9999",
			line:   strings.Replace(valid, `"ts": "1716000001000"`, `"ts": "999999999999999999"`, 1),
			reason: `field "data.ts": epoch milliseconds "999999999999999999" are after the year 9999`,
		},
		{
			name:   "uidFrom is null",
			line:   strings.Replace(valid, `"uidFrom": "7712345678901234567"`, `"uidFrom": null`, 1),
			reason: `field "data.uidFrom": missing`,
		},
		{
			name:   "dName is an object",
			line:   strings.Replace(valid, `"dName": "Lan"`, `"dName": {}`, 1),
			reason: `field "data.dName": want a string, got object`,
		},
		{
			name:   "cliMsgId is a fraction",
			line:   strings.Replace(valid, `"cliMsgId": "1716000000100"`, `"cliMsgId": 1.5`, 1),
			reason: `field "data.cliMsgId": want an integer id, got a number with a fraction or exponent`,
		},
		{
			name:   "undo without target",
			line:   `{"event": "undo", "threadType": "user", "data": {"msgId": "2", "ts": "1716000000000", "uidFrom": "5", "idTo": "0", "content": {"deleteMsg": 1}}}`,
			reason: `field "data.content.globalMsgId": missing`,
		},
		{
			name:   "reaction content not JSON",
			line:   `{"event": "reaction", "threadType": "user", "data": {"msgId": "2", "ts": "1716000000000", "uidFrom": "0", "idTo": "5", "content": "{rMsg"}}`,
			reason: `field "data.content": want a string holding a JSON object, got a string that is not JSON`,
		},
		{
			name:   "reaction without rMsg",
			line:   `{"event": "reaction", "threadType": "user", "data": {"msgId": "2", "ts": "1716000000000", "uidFrom": "0", "idTo": "5", "content": "{\"rIcon\": \"/-heart\"}"}}`,
			reason: `field "data.content.rMsg": missing or empty; a reaction needs the message it reacts to`,
		},
		{
			name:   "reaction target is a boolean",
			line:   `{"event": "reaction", "threadType": "user", "data": {"msgId": "2", "ts": "1716000000000", "uidFrom": "0", "idTo": "5", "content": "{\"rMsg\": [{\"gMsgID\": true}]}"}}`,
			reason: `field "data.content.rMsg[0].gMsgID": want a string or integer id, got boolean`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := good + "\n" + tt.line + "\n" + good + "\n"
			r := NewReader(strings.NewReader(input), "bad.jsonl", testOptions)

			if _, err := r.Next(); err != nil {
				t.Fatalf("line 1: %v", err)
			}

			_, err := r.Next()
			var bad *ingest.BadRecord
			if !errors.As(err, &bad) {
				t.Fatalf("line 2: err = %v, want *ingest.BadRecord", err)
			}
			if bad.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", bad.Reason, tt.reason)
			}
			if bad.File != "bad.jsonl" {
				t.Errorf("File = %q, want %q", bad.File, "bad.jsonl")
			}
			if bad.Line != 2 {
				t.Errorf("Line = %d, want 2", bad.Line)
			}
			if want := int64(len(good) + 1); bad.Offset != want {
				t.Errorf("Offset = %d, want %d", bad.Offset, want)
			}
			if string(bad.Raw) != tt.line {
				t.Errorf("Raw = %q, want the line %q", bad.Raw, tt.line)
			}
			if bad.Truncated {
				t.Errorf("Truncated = true, want false")
			}

			if _, err := r.Next(); err != nil {
				t.Errorf("line 3 after the bad line: %v", err)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("after line 3: err = %v, want io.EOF", err)
			}
		})
	}
}

func TestReader_NotJSONFile(t *testing.T) {
	input := "12/03/2024, 09:15 - Lan: Chị ơi còn hàng không\n" +
		"\x00\x01\x02\xff\xfe binary\n" +
		"<html><body>not a capture</body></html>\r\n" +
		"}{\n" +
		"\"just a string\"\n" +
		"null\n" +
		"42"
	msgs, bad := readAll(t, strings.NewReader(input), "export.txt", testOptions)
	if len(msgs) != 0 {
		t.Errorf("got %d messages, want 0", len(msgs))
	}
	if len(bad) != 7 {
		t.Fatalf("got %d bad records, want one for each of the 7 lines", len(bad))
	}
	for i, b := range bad {
		if b.Line != i+1 {
			t.Errorf("bad record %d: Line = %d, want %d", i+1, b.Line, i+1)
		}
		if b.Reason == "" {
			t.Errorf("bad record %d: Reason is empty", i+1)
		}
		if len(b.Raw) == 0 {
			t.Errorf("bad record %d: Raw is empty", i+1)
		}
	}
}

func TestReader_EmptyFile(t *testing.T) {
	for _, input := range []string{"", "\n", "\r\n\n   \n\t\n"} {
		r := NewReader(strings.NewReader(input), "empty.jsonl", testOptions)
		if m, err := r.Next(); err != io.EOF {
			t.Errorf("input %q: Next = %v, %v; want nil, io.EOF", input, m, err)
		}
	}
}

func TestReader_EmptyLinesSkipped(t *testing.T) {
	input := "\n" + textLine("1", "1716000000000") + "\n\n  \n" + textLine("2", "1716000001000") + "\n\n"
	msgs, bad := readAll(t, strings.NewReader(input), "gaps.jsonl", testOptions)
	if len(bad) != 0 {
		t.Errorf("got %d bad records, want 0: %v", len(bad), bad)
	}
	if len(msgs) != 2 {
		t.Errorf("got %d messages, want 2", len(msgs))
	}
}

func TestReader_MissingAccount(t *testing.T) {
	r := NewReader(strings.NewReader(textLine("1", "1716000000000")), "a.jsonl", ingest.Options{})
	m, err := r.Next()
	var bad *ingest.BadRecord
	if err == nil || err == io.EOF || errors.As(err, &bad) {
		t.Fatalf("Next = %v, %v; want a fatal error for the empty account", m, err)
	}
}

// TestReader_LineTooLong reads a 17 MiB line between two good lines. It
// checks that the line becomes a truncated BadRecord, that the next line is
// still read, and that memory stays bounded.
func TestReader_LineTooLong(t *testing.T) {
	const longLength = 17 << 20
	prefix := `{"event": "message", "threadType": "user", "data": {"msgId": "9", "ts": "1716000000000", "content": "`
	first := textLine("1", "1716000000000")
	last := textLine("2", "1716000001000")
	input := io.MultiReader(
		strings.NewReader(first+"\n"+prefix),
		&repeatReader{b: 'x', n: longLength - int64(len(prefix))},
		strings.NewReader("\"}}\n"+last+"\n"),
	)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	msgs, bad := readAll(t, input, "long.jsonl", testOptions)
	runtime.ReadMemStats(&after)

	if len(msgs) != 2 {
		t.Errorf("got %d messages, want 2", len(msgs))
	} else if msgs[1].SourceID != "2" {
		t.Errorf("message after the long line has SourceID %q, want %q", msgs[1].SourceID, "2")
	}
	if len(bad) != 1 {
		t.Fatalf("got %d bad records, want 1", len(bad))
	}
	b := bad[0]
	if !b.Truncated {
		t.Errorf("Truncated = false, want true")
	}
	if len(b.Raw) != ingest.MaxRecordBytes {
		t.Errorf("len(Raw) = %d, want %d", len(b.Raw), ingest.MaxRecordBytes)
	}
	if !bytes.HasPrefix(b.Raw, []byte(prefix)) {
		t.Errorf("Raw does not start with the line's first bytes")
	}
	if b.Line != 2 {
		t.Errorf("Line = %d, want 2", b.Line)
	}
	if want := int64(len(first) + 1); b.Offset != want {
		t.Errorf("Offset = %d, want %d", b.Offset, want)
	}
	wantReason := fmt.Sprintf("line is %d bytes long, more than the limit of %d bytes; only its start is kept", longLength+3, ingest.MaxRecordBytes)
	if b.Reason != wantReason {
		t.Errorf("Reason = %q, want %q", b.Reason, wantReason)
	}

	// Growing the line buffer to MaxRecordBytes by doubling allocates about
	// 2×MaxRecordBytes, and the bad record's copy another 1×. The line reader
	// tests in package ingest show with a 96 MiB line that the rest of an
	// overlong line is streamed, not buffered.
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes for a %d-byte line", allocated, longLength)
	if limit := uint64(4 * ingest.MaxRecordBytes); allocated > limit {
		t.Errorf("allocated %d bytes, want at most %d", allocated, limit)
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

func TestReader_CRLF(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(casesDir, "zca-dm-text-quote.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lf, _ := readAll(t, bytes.NewReader(data), "lf.jsonl", testOptions)
	crlfData := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	crlf, bad := readAll(t, bytes.NewReader(crlfData), "crlf.jsonl", testOptions)

	if len(bad) != 0 {
		t.Errorf("got %d bad records, want 0: %v", len(bad), bad)
	}
	if len(crlf) != len(lf) {
		t.Fatalf("got %d messages with CRLF, want %d as with LF", len(crlf), len(lf))
	}
	for i := range lf {
		if crlf[i].Text != lf[i].Text {
			t.Errorf("message %d: Text = %q with CRLF, want %q", i+1, crlf[i].Text, lf[i].Text)
		}
		if !bytes.Equal(crlf[i].Raw, lf[i].Raw) {
			t.Errorf("message %d: Raw differs between CRLF and LF; the CR must not be kept", i+1)
		}
		if bytes.HasSuffix(crlf[i].Raw, []byte("\r")) {
			t.Errorf("message %d: Raw ends with CR", i+1)
		}
	}
}

func TestReader_LargeIDsStayExact(t *testing.T) {
	// 2^53+1 is the first integer a float64 cannot hold; the others have 19
	// digits and one has more digits than an int64.
	const (
		ownerID  = "9007199254740993"
		quotedID = "7100000000000000101"
		targetID = "9223372036854775809123"
		sourceID = "8100000000000000021"
	)
	reply := messageLine("user", "7100000000000000102", "1716000062456",
		`"msgType": "webchat", "uidFrom": "0", "idTo": "`+ownerID+`", "content": "ok", `+
			`"quote": {"ownerId": `+ownerID+`, "globalMsgId": `+quotedID+`, "cliMsgId": 1716000000100, "msg": "q"}`)
	recall := `{"event": "undo", "threadType": "user", "data": {"msgId": "7100000000000000103", "ts": "1716000070000", ` +
		`"msgType": "chat.undo", "uidFrom": "0", "idTo": "` + ownerID + `", ` +
		`"content": {"globalMsgId": ` + targetID + `, "deleteMsg": 1, "srcId": ` + sourceID + `, "destId": ` + ownerID + `}}}`
	msgs, bad := readAll(t, strings.NewReader(reply+"\n"+recall+"\n"), "ids.jsonl", testOptions)
	if len(bad) != 0 || len(msgs) != 2 {
		t.Fatalf("got %d messages and %d bad records %v, want 2 and 0", len(msgs), len(bad), bad)
	}

	if msgs[0].ReplyTo != quotedID {
		t.Errorf("ReplyTo = %q, want %q", msgs[0].ReplyTo, quotedID)
	}
	if msgs[0].Quote == nil {
		t.Fatalf("Quote = nil, want the quote")
	}
	if msgs[0].Quote.OwnerID != ownerID {
		t.Errorf("Quote.OwnerID = %q, want %q", msgs[0].Quote.OwnerID, ownerID)
	}
	if msgs[0].Conversation != ownerID {
		t.Errorf("Conversation = %q, want %q", msgs[0].Conversation, ownerID)
	}
	if msgs[1].Kind != chat.KindRecall {
		t.Errorf("recall Kind = %q, want %q", msgs[1].Kind, chat.KindRecall)
	}
	if msgs[1].Target != targetID {
		t.Errorf("recall Target = %q, want %q", msgs[1].Target, targetID)
	}
}

func TestReader_OldMessages(t *testing.T) {
	elem := func(msgID, ts string) string {
		return fmt.Sprintf(`{"msgId": %q, "ts": %q, "msgType": "webchat", "uidFrom": "0", "idTo": %q, "content": "c"}`, msgID, ts, testCustomerUID)
	}
	badElem := `{"msgId": "3", "msgType": "webchat", "uidFrom": "0", "idTo": "5", "content": "c"}`
	history := `{"event": "old_messages", "threadType": "user", "data": [` +
		elem("1", "1716000000000") + `, ` + badElem + `, ` + elem("2", "1716000001000") + `, "x"]}`
	empty := `{"event": "old_messages", "threadType": "group", "data": []}`
	input := history + "\n" + empty + "\n" + textLine("4", "1716000002000") + "\n"

	r := NewReader(strings.NewReader(input), "old.jsonl", testOptions)
	var sourceIDs, reasons []string
	for {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		var bad *ingest.BadRecord
		if errors.As(err, &bad) {
			reasons = append(reasons, bad.Reason)
			if bad.Line != 1 {
				t.Errorf("bad record %q: Line = %d, want 1", bad.Reason, bad.Line)
			}
			if string(bad.Raw) != history {
				t.Errorf("bad record %q: Raw is not the whole line", bad.Reason)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		sourceIDs = append(sourceIDs, m.SourceID)
		if m.SourceID != "4" && string(m.Raw) != history {
			t.Errorf("message %s: Raw is not the whole old_messages line", m.SourceID)
		}
	}

	if got, want := strings.Join(sourceIDs, ","), "1,2,4"; got != want {
		t.Errorf("source ids = %s, want %s", got, want)
	}
	wantReasons := []string{`field "data[1].ts": missing`, `field "data[3]": want an object, got string`}
	if strings.Join(reasons, "|") != strings.Join(wantReasons, "|") {
		t.Errorf("reasons = %q, want %q", reasons, wantReasons)
	}
}

func TestReader_SelfWithoutAccountUID(t *testing.T) {
	line := messageLine("user", "1", "1716000000000", `"msgType": "webchat", "uidFrom": "0", "idTo": "`+testCustomerUID+`", "content": "x"`)
	m := readOne(t, line, ingest.Options{Account: "test"})
	if m.Sender.ID != "0" {
		t.Errorf("Sender.ID = %q, want %q", m.Sender.ID, "0")
	}
	if m.Direction != chat.Outbound {
		t.Errorf("Direction = %q, want %q", m.Direction, chat.Outbound)
	}
	if m.Conversation != testCustomerUID {
		t.Errorf("Conversation = %q, want %q", m.Conversation, testCustomerUID)
	}
}

func TestReader_Identity(t *testing.T) {
	tests := []struct {
		name         string
		line         string
		senderID     string
		direction    chat.Direction
		conversation string
		kind         chat.ConversationKind
	}{
		{
			name:         "direct from customer",
			line:         messageLine("user", "1", "1716000000000", `"msgType": "webchat", "uidFrom": "`+testCustomerUID+`", "idTo": "0", "content": "x"`),
			senderID:     testCustomerUID,
			direction:    chat.Inbound,
			conversation: testCustomerUID,
			kind:         chat.Direct,
		},
		{
			name:         "direct from account",
			line:         messageLine("user", "1", "1716000000000", `"msgType": "webchat", "uidFrom": "0", "idTo": "`+testCustomerUID+`", "content": "x"`),
			senderID:     testAccountUID,
			direction:    chat.Outbound,
			conversation: testCustomerUID,
			kind:         chat.Direct,
		},
		{
			name:         "direct from account with its real uid",
			line:         messageLine("user", "1", "1716000000000", `"msgType": "webchat", "uidFrom": "`+testAccountUID+`", "idTo": "`+testCustomerUID+`", "content": "x"`),
			senderID:     testAccountUID,
			direction:    chat.Outbound,
			conversation: testCustomerUID,
			kind:         chat.Direct,
		},
		{
			name:         "group from member",
			line:         messageLine("group", "1", "1716000000000", `"msgType": "webchat", "uidFrom": "`+testCustomerUID+`", "idTo": "`+testGroupID+`", "content": "x"`),
			senderID:     testCustomerUID,
			direction:    chat.Inbound,
			conversation: testGroupID,
			kind:         chat.Group,
		},
		{
			name:         "group from cmd without threadType",
			line:         `{"event": "message", "data": {"msgId": "1", "ts": "1716000000000", "cmd": 521, "msgType": "webchat", "uidFrom": "0", "idTo": "` + testGroupID + `", "content": "x"}}`,
			senderID:     testAccountUID,
			direction:    chat.Outbound,
			conversation: testGroupID,
			kind:         chat.Group,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := readOne(t, tt.line, testOptions)
			if m.Sender.ID != tt.senderID {
				t.Errorf("Sender.ID = %q, want %q", m.Sender.ID, tt.senderID)
			}
			if m.Direction != tt.direction {
				t.Errorf("Direction = %q, want %q", m.Direction, tt.direction)
			}
			if m.Conversation != tt.conversation {
				t.Errorf("Conversation = %q, want %q", m.Conversation, tt.conversation)
			}
			if m.ConversationKind != tt.kind {
				t.Errorf("ConversationKind = %q, want %q", m.ConversationKind, tt.kind)
			}
			if m.Source != Source {
				t.Errorf("Source = %q, want %q", m.Source, Source)
			}
			if m.Account != "test" {
				t.Errorf("Account = %q, want %q", m.Account, "test")
			}
		})
	}
}

func TestReader_TimeZone(t *testing.T) {
	line := textLine("1", "1716000000123")
	want := time.UnixMilli(1716000000123)

	m := readOne(t, line, testOptions)
	if !m.SentAt.Equal(want) {
		t.Errorf("SentAt = %v, want %v", m.SentAt, want)
	}
	if m.SentAt.Location() != ingest.HoChiMinh {
		t.Errorf("SentAt zone = %v, want %v by default", m.SentAt.Location(), ingest.HoChiMinh)
	}

	opts := testOptions
	opts.Location = time.UTC
	m = readOne(t, line, opts)
	if m.SentAt.Location() != time.UTC {
		t.Errorf("SentAt zone = %v, want UTC from the options", m.SentAt.Location())
	}
	if got := m.SentAt.Format(time.RFC3339Nano); got != "2024-05-18T02:40:00.123Z" {
		t.Errorf("SentAt = %s, want 2024-05-18T02:40:00.123Z", got)
	}
}

func TestReader_ContentKinds(t *testing.T) {
	content := func(msgType, content string) string {
		return messageLine("user", "1", "1716000000000",
			`"msgType": "`+msgType+`", "uidFrom": "`+testCustomerUID+`", "idTo": "0", "content": `+content)
	}
	attachment := func(title, href, action, params string) string {
		return fmt.Sprintf(`{"title": %q, "description": "", "href": %q, "thumb": "", "action": %q, "params": %q, "type": ""}`, title, href, action, params)
	}
	tests := []struct {
		name     string
		line     string
		kind     chat.Kind
		attach   string // kind of the only attachment, "" for none
		warnings string // comma-separated codes
		check    func(t *testing.T, m *chat.Message)
	}{
		{
			name:   "gif",
			line:   content("chat.gif", attachment("", "https://example.com/a.gif", "", `{"width": 320, "height": "240"}`)),
			kind:   chat.KindImage,
			attach: "image",
			check: func(t *testing.T, m *chat.Message) {
				if a := m.Attachments[0]; a.Width != 320 || a.Height != 240 {
					t.Errorf("size = %dx%d, want 320x240", a.Width, a.Height)
				}
			},
		},
		{
			name:   "doodle",
			line:   content("chat.doodle", attachment("", "https://example.com/d.png", "", "")),
			kind:   chat.KindImage,
			attach: "image",
		},
		{
			name:   "link",
			line:   content("chat.link", attachment("Title", "https://example.com/", "", "")),
			kind:   chat.KindLink,
			attach: "link",
			check: func(t *testing.T, m *chat.Message) {
				if m.IndexText != "Title" {
					t.Errorf("IndexText = %q, want %q", m.IndexText, "Title")
				}
			},
		},
		{
			name: "location",
			line: content("chat.location.new", attachment("Chợ Bến Thành", "", "", `{"latitude": "10.7725", "longitude": 106.698}`)),
			kind: chat.KindLocation,
			check: func(t *testing.T, m *chat.Message) {
				want := chat.Location{Latitude: 10.7725, Longitude: 106.698, Title: "Chợ Bến Thành"}
				if m.Location == nil || *m.Location != want {
					t.Errorf("Location = %+v, want %+v", m.Location, want)
				}
			},
		},
		{
			name:     "location without coordinates",
			line:     content("chat.location.new", attachment("Chợ Bến Thành", "", "", `{"address": "x"}`)),
			kind:     chat.KindLocation,
			warnings: ingest.WarnUnparseableParams,
			check: func(t *testing.T, m *chat.Message) {
				if m.Location != nil {
					t.Errorf("Location = %+v, want nil", m.Location)
				}
			},
		},
		{
			name:     "call without duration",
			line:     content("chat.recommended", attachment("", "", "recommened.calltime", `{}`)),
			kind:     chat.KindCall,
			warnings: ingest.WarnUnparseableParams,
			check: func(t *testing.T, m *chat.Message) {
				if m.Call != nil {
					t.Errorf("Call = %+v, want nil", m.Call)
				}
			},
		},
		{
			name: "contact with phone and uid",
			line: content("chat.recommended", attachment("Tâm", "", "recommened.user", `{"phone":"0901234567","uid":7000000000000000009}`)),
			kind: chat.KindContact,
			check: func(t *testing.T, m *chat.Message) {
				want := chat.Contact{Name: "Tâm", Phone: "0901234567", UserID: "7000000000000000009", RawParams: `{"phone":"0901234567","uid":7000000000000000009}`}
				if m.Contact == nil || *m.Contact != want {
					t.Errorf("Contact = %+v, want %+v", m.Contact, want)
				}
			},
		},
		{
			name:     "file size not a number",
			line:     content("share.file", attachment("a.pdf", "https://example.com/f", "", `{"fileSize": "big"}`)),
			kind:     chat.KindFile,
			attach:   "file",
			warnings: ingest.WarnUnparseableParams,
			check: func(t *testing.T, m *chat.Message) {
				if m.Attachments[0].Size != nil {
					t.Errorf("Size = %d, want nil", *m.Attachments[0].Size)
				}
			},
		},
		{
			name:     "task with unparseable params",
			line:     content("chat.todo", attachment("", "", "", `not json`)),
			kind:     chat.KindTask,
			warnings: ingest.WarnUnparseableParams,
		},
		{
			name:     "text with object content",
			line:     content("webchat", `{"title": "x"}`),
			kind:     chat.KindUnknown,
			warnings: ingest.WarnInvalidField,
		},
		{
			name:     "photo with string content",
			line:     content("chat.photo", `"x"`),
			kind:     chat.KindUnknown,
			warnings: ingest.WarnInvalidField,
		},
		{
			name:     "unknown type with text",
			line:     content("group.poll", `"Ăn gì?"`),
			kind:     chat.KindUnknown,
			warnings: ingest.WarnUnknownMsgType,
			check: func(t *testing.T, m *chat.Message) {
				if m.Text != "Ăn gì?" {
					t.Errorf("Text = %q, want %q", m.Text, "Ăn gì?")
				}
			},
		},
		{
			name: "recall by deleteMsg in a message event",
			line: content("chat.undo", `{"globalMsgId": "7100000000201", "deleteMsg": 1}`),
			kind: chat.KindRecall,
			check: func(t *testing.T, m *chat.Message) {
				if m.Target != "7100000000201" {
					t.Errorf("Target = %q, want %q", m.Target, "7100000000201")
				}
			},
		},
		{
			name:     "quote of the wrong type",
			line:     strings.Replace(content("webchat", `"x"`), `"content"`, `"quote": "q", "content"`, 1),
			kind:     chat.KindText,
			warnings: ingest.WarnInvalidField,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := readOne(t, tt.line, testOptions)
			if m.Kind != tt.kind {
				t.Errorf("Kind = %q, want %q", m.Kind, tt.kind)
			}
			if got := strings.Join(m.Warnings, ","); got != tt.warnings {
				t.Errorf("Warnings = %q, want %q", got, tt.warnings)
			}
			switch {
			case tt.attach == "" && len(m.Attachments) != 0:
				t.Errorf("got attachments %+v, want none", m.Attachments)
			case tt.attach != "" && len(m.Attachments) != 1:
				t.Fatalf("got %d attachments, want 1", len(m.Attachments))
			case tt.attach != "" && m.Attachments[0].Kind != tt.attach:
				t.Errorf("attachment kind = %q, want %q", m.Attachments[0].Kind, tt.attach)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestReader_Mentions(t *testing.T) {
	// "👋" is two UTF-16 units but one code point, so pos 3 in UTF-16 is
	// code point 2.
	line := messageLine("group", "1", "1716000000000",
		`"msgType": "webchat", "uidFrom": "`+testCustomerUID+`", "idTo": "`+testGroupID+`", "content": "👋 @Bo @Shop", `+
			`"mentions": [{"uid": "55", "pos": 3, "len": 3, "type": 0}, {"uid": "0", "pos": 7, "len": 5, "type": 0}, `+
			`{"uid": "66", "pos": 1, "len": 2, "type": 0}, {"uid": "77", "pos": 10, "len": 9, "type": 0}]`)
	m := readOne(t, line, testOptions)

	want := []chat.Mention{
		{UserID: "55", Offset: 2, Length: 3},
		{UserID: testAccountUID, Offset: 6, Length: 5},
	}
	if len(m.Mentions) != len(want) {
		t.Fatalf("got mentions %+v, want %+v", m.Mentions, want)
	}
	for i := range want {
		if m.Mentions[i] != want[i] {
			t.Errorf("mention %d = %+v, want %+v", i, m.Mentions[i], want[i])
		}
	}
	// The third mention splits the emoji's surrogate pair and the fourth runs
	// past the text; both are dropped with a warning.
	if got := strings.Join(m.Warnings, ","); got != ingest.WarnInvalidField {
		t.Errorf("Warnings = %q, want %q", got, ingest.WarnInvalidField)
	}
}

func TestReader_ByteOrderMark(t *testing.T) {
	line := "\xEF\xBB\xBF" + textLine("1", "1716000000000")
	m := readOne(t, line, testOptions)
	if string(m.Raw) != line {
		t.Errorf("Raw = %q, want the line with its byte order mark", m.Raw)
	}
}

func TestReader_RawIsWholeLine(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(casesDir, "zca-*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		msgs, _ := readAll(t, bytes.NewReader(data), path, testOptions)
		if len(msgs) != len(lines) {
			t.Errorf("%s: got %d messages, want one per line (%d)", filepath.Base(path), len(msgs), len(lines))
			continue
		}
		for i, m := range msgs {
			if string(m.Raw) != lines[i] {
				t.Errorf("%s line %d: Raw differs from the input line", filepath.Base(path), i+1)
			}
		}
	}
}

func TestReader_Offset(t *testing.T) {
	input := textLine("1", "1716000000000") + "\n" + textLine("2", "1716000001000") + "\n"
	r := NewReader(strings.NewReader(input), "offset.jsonl", testOptions)
	if got := r.Offset(); got != 0 {
		t.Errorf("Offset before reading = %d, want 0", got)
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("Next: %v", err)
		}
	}
	if got := r.Offset(); got != int64(len(input)) {
		t.Errorf("Offset at end = %d, want %d", got, len(input))
	}
}

func TestReader_RecordRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(casesDir, "zca-dm-attachments.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := readAll(t, bytes.NewReader(data), "attachments.jsonl", testOptions)
	for _, m := range msgs {
		record, err := chat.EncodeRecord(nil, m)
		if err != nil {
			t.Errorf("message %s: EncodeRecord: %v", m.SourceID, err)
			continue
		}
		back, err := chat.DecodeRecord(bytes.TrimSuffix(record, []byte("\n")))
		if err != nil {
			t.Errorf("message %s: DecodeRecord: %v", m.SourceID, err)
			continue
		}
		if !bytes.Equal(back.Raw, m.Raw) {
			t.Errorf("message %s: Raw changed in a record round trip", m.SourceID)
		}
		if !back.SentAt.Equal(m.SentAt) {
			t.Errorf("message %s: SentAt = %v after a round trip, want %v", m.SourceID, back.SentAt, m.SentAt)
		}
	}
}
