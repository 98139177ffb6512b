// Package jsonl imports chatseal's canonical record format: JSON Lines with
// one chat.Message per line, as chat.EncodeRecord writes it. It reads exports
// of another chatseal archive and records written by tools that produce the
// format directly.
//
// A line becomes a message only when it decodes with chat.DecodeRecord and
// has a source_id, a non-zero sent_at and an account (or the import options
// name one). The archive assigns id, seq, tenant and ingested_at anew, so the
// reader clears them; source_id is kept as the message's identity.
package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// reader is the ingest.Reader for one record file.
type reader struct {
	lines *ingest.LineReader
	file  string
	opts  ingest.Options
}

// NewReader returns a reader for the record file r. file names the input in
// bad records.
//
// opts.Account, when set, is the account every record must belong to: a
// record without an account gets it, and a record of another account is a bad
// record. When it is empty every record must name its own account.
// opts.AccountUID and opts.Location are not used, because records carry
// platform ids and absolute times.
func NewReader(r io.Reader, file string, opts ingest.Options) ingest.Reader {
	return &reader{lines: ingest.NewLineReader(r), file: file, opts: opts}
}

// Next returns the next message, an *ingest.BadRecord for a line that is not
// a valid record, io.EOF at the end of the input, or another error when
// reading fails. Empty and white-space-only lines are skipped.
func (r *reader) Next() (*chat.Message, error) {
	for {
		line, err := r.lines.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("jsonl: read %s: %w", r.file, err)
		}
		if !line.TooLong && len(bytes.TrimLeft(line.Bytes, " \t\r\n")) == 0 {
			continue
		}

		if line.TooLong {
			reason := fmt.Sprintf("line is %d bytes long, more than the limit of %d bytes; only its start is kept", line.Length, ingest.MaxRecordBytes)
			return nil, r.badRecord(line, reason)
		}
		m, reason := r.parseRecord(line.Bytes)
		if reason != "" {
			return nil, r.badRecord(line, reason)
		}
		return m, nil
	}
}

// Offset returns how many bytes of the input have been consumed.
func (r *reader) Offset() int64 { return r.lines.Offset() }

func (r *reader) badRecord(line ingest.Line, reason string) *ingest.BadRecord {
	return &ingest.BadRecord{
		File:      r.file,
		Line:      line.Number,
		Offset:    line.Offset,
		Reason:    reason,
		Raw:       bytes.Clone(line.Bytes),
		Truncated: line.TooLong,
	}
}

// parseRecord decodes one record line, or returns the reason it is not a
// valid record.
func (r *reader) parseRecord(line []byte) (*chat.Message, string) {
	members, reason := decodeMembers(line)
	if reason != "" {
		return nil, reason
	}
	if reason := checkSourceID(members); reason != "" {
		return nil, reason
	}
	if reason := checkSentAt(members); reason != "" {
		return nil, reason
	}
	if reason := checkIngestedAt(members); reason != "" {
		return nil, reason
	}
	account, reason := r.checkAccount(members)
	if reason != "" {
		return nil, reason
	}

	m, err := chat.DecodeRecord(line)
	if err != nil {
		return nil, describeDecodeError(err)
	}

	m.Account = account
	m.ID = ""
	m.Seq = 0
	m.Tenant = ""
	m.IngestedAt = time.Time{}
	return m, ""
}

// decodeMembers decodes line as one JSON object with raw members.
func decodeMembers(line []byte) (map[string]json.RawMessage, string) {
	dec := json.NewDecoder(bytes.NewReader(line))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Sprintf("invalid JSON: the line ends inside a value after %d bytes; it may be truncated", len(line))
		case errors.As(err, &syntax):
			return nil, fmt.Sprintf("invalid JSON: syntax error at byte %d of the line, counting from 1", syntax.Offset)
		}
		return nil, "invalid JSON"
	}
	end := dec.InputOffset()
	if len(bytes.TrimLeft(line[end:], " \t\r\n")) != 0 {
		return nil, fmt.Sprintf("invalid JSON: unexpected data after the JSON value that ends at byte %d of the line", end)
	}
	if t := jsonType(top); t != "object" {
		return nil, "line: want a JSON object, got " + t
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(top, &members); err != nil {
		return nil, "invalid JSON object"
	}
	return members, ""
}

// stringMember returns the string member name. present is false when it is
// absent or null; reason is set when it is not a string.
func stringMember(members map[string]json.RawMessage, name string) (s string, present bool, reason string) {
	raw := members[name]
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, ""
	}
	if t := jsonType(raw); t != "string" {
		return "", true, fmt.Sprintf("field %q: want a string, got %s", name, t)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, fmt.Sprintf("field %q: invalid JSON string", name)
	}
	return s, true, ""
}

func checkSourceID(members map[string]json.RawMessage) string {
	id, present, reason := stringMember(members, "source_id")
	switch {
	case reason != "":
		return reason
	case !present:
		return `field "source_id": missing`
	case id == "":
		return `field "source_id": empty`
	}
	return ""
}

func checkSentAt(members map[string]json.RawMessage) string {
	sentAt, present, reason := timeMember(members, "sent_at")
	switch {
	case reason != "":
		return reason
	case !present:
		return `field "sent_at": missing`
	case sentAt.IsZero():
		return `field "sent_at": zero time; the record has no send time`
	}
	return ""
}

// checkIngestedAt checks ingested_at before chat.DecodeRecord does, so that a
// bad value is reported with its field name. The reader clears it later.
func checkIngestedAt(members map[string]json.RawMessage) string {
	_, _, reason := timeMember(members, "ingested_at")
	return reason
}

// timeMember parses the RFC 3339 time member name. present is false when it
// is absent or null.
func timeMember(members map[string]json.RawMessage, name string) (t time.Time, present bool, reason string) {
	text, present, reason := stringMember(members, name)
	if reason != "" {
		return time.Time{}, true, fmt.Sprintf("field %q: want an RFC 3339 time string, got %s", name, jsonType(members[name]))
	}
	if !present {
		return time.Time{}, false, ""
	}
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}, true, fmt.Sprintf("field %q: want an RFC 3339 time, got %s", name, quoteShort(text))
	}
	return t, true, ""
}

// checkAccount returns the account the message belongs to: the record's own,
// or opts.Account when the record has none.
func (r *reader) checkAccount(members map[string]json.RawMessage) (string, string) {
	account, _, reason := stringMember(members, "account")
	if reason != "" {
		return "", reason
	}
	switch {
	case account == "" && r.opts.Account == "":
		return "", `field "account": missing, and ingest.Options.Account is empty; name the account in the record or in the import options`
	case account == "":
		return r.opts.Account, ""
	case r.opts.Account != "" && account != r.opts.Account:
		return "", fmt.Sprintf(`field "account": record is for account %s, but the import is for account %s`, quoteShort(account), quoteShort(r.opts.Account))
	}
	return account, ""
}

// describeDecodeError turns an error of chat.DecodeRecord into a reason that
// names the field and holds no message text.
func describeDecodeError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Sprintf("field %q: want %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	// The remaining errors of chat.DecodeRecord concern the raw payload and
	// name only the record id and raw_format.
	return "invalid record: " + err.Error()
}

// jsonType returns the JSON type of a raw value as it is named in reasons.
func jsonType(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// quoteShort quotes a value such as an account name or a time for a reason,
// cut to 40 bytes so that a wrong value cannot carry message text.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}
