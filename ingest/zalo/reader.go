// Package zalo imports Zalo personal-account messages captured with the
// zca-js library (github.com/RFS-ADRENO/zca-js, read at v2.1.2), which drives
// the Zalo Web websocket.
//
// The input is a capture file of JSON Lines. Each line is one listener event:
//
//	{"event": "message", "threadType": "user", "data": {...}}
//
// event is "message", "undo", "reaction" or "old_messages"; threadType is
// "user" (a direct conversation) or "group". data is the raw zca-js message
// object (TMessage, or TReaction for reactions) before zca-js rewrites its
// ids, and an array of such objects for old_messages, which can therefore
// yield several messages from one line.
//
// In raw data the logged-in account is written as uid "0". The importer puts
// ingest.Options.AccountUID in its place in sender, thread and quote ids, and
// takes uidFrom "0" to mean an outbound message. The thread of a direct
// message is the other party, which is idTo when the account sent it and
// uidFrom otherwise. The thread of a group message is idTo.
//
// Several ids (quote.ownerId, quote.globalMsgId, the recall's globalMsgId,
// srcId and destId) are JSON numbers with up to 19 digits, more than a
// float64 holds. The importer reads them from the raw number text, so they
// stay exact strings.
//
// Every message keeps its whole input line, byte for byte, in Raw. A line
// that is not a well-formed event becomes an *ingest.BadRecord; a message
// whose content is only partly understood is kept with warning codes.
package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "zalo"

// selfUID is the uid that raw zca-js data gives the logged-in account.
const selfUID = "0"

// utf8BOM is skipped at the start of the first line before it is parsed.
var utf8BOM = []byte("\xEF\xBB\xBF")

// reader is the ingest.Reader for one capture file.
type reader struct {
	lines *ingest.LineReader
	file  string
	opts  ingest.Options
	loc   *time.Location
	self  string // AccountUID, or "0" when it is not known

	// results holds the outcomes of the last line read, and Next returns
	// results[next] on its next call. Only an old_messages line has more
	// than one. The slice is reused for each line.
	results []result
	next    int
}

// result is one outcome of a line: a message or a *ingest.BadRecord.
type result struct {
	msg *chat.Message
	bad *ingest.BadRecord
}

// NewReader returns a reader for the zca-js capture file r. file names the
// input in bad records. opts.Account is required; Next returns an error
// without reading when it is empty.
//
// Messages read from one old_messages line share the same Raw slice.
func NewReader(r io.Reader, file string, opts ingest.Options) ingest.Reader {
	self := opts.AccountUID
	if self == "" {
		self = selfUID
	}
	return &reader{
		lines: ingest.NewLineReader(r),
		file:  file,
		opts:  opts,
		loc:   ingest.DefaultLocation(opts.Location),
		self:  self,
	}
}

// Next returns the next message, an *ingest.BadRecord for a line or an
// old_messages element that is not a valid event, io.EOF at the end of the
// input, or another error when reading fails. Empty and white-space-only
// lines are skipped, and so is an old_messages line whose array is empty.
func (r *reader) Next() (*chat.Message, error) {
	if r.opts.Account == "" {
		return nil, fmt.Errorf("zalo: read %s: ingest.Options.Account is empty; set it to the chatseal account of this input", r.file)
	}
	for {
		if r.next < len(r.results) {
			res := r.results[r.next]
			r.results[r.next] = result{} // so that the reader does not keep the message alive
			r.next++
			return res.unpack()
		}

		line, err := r.lines.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("zalo: read %s: %w", r.file, err)
		}

		if cap(r.results) > maxKeptResults {
			r.results = nil
		}
		r.results = r.parseLine(r.results[:0], line)
		r.next = 0
	}
}

// maxKeptResults is the capacity above which Next drops the results slice
// before reading a line, so that one long old_messages line does not pin its
// slice for the rest of the input.
const maxKeptResults = 1024

func (res result) unpack() (*chat.Message, error) {
	if res.bad != nil {
		return nil, res.bad
	}
	return res.msg, nil
}

// Offset returns how many bytes of the input have been consumed.
func (r *reader) Offset() int64 { return r.lines.Offset() }

// parseLine appends the results of one line to results. It appends none for
// a line without content.
func (r *reader) parseLine(results []result, line ingest.Line) []result {
	if !line.TooLong && len(bytes.TrimLeft(lineBody(line.Number, line.Bytes), " \t\r\n")) == 0 {
		return results
	}

	// Messages and bad records keep the line, so it must outlive the
	// LineReader's buffer. The line is parsed in this copy, so that no value
	// read from it can alias that buffer either.
	raw := bytes.Clone(line.Bytes)
	body := lineBody(line.Number, raw)
	bad := func(err *fieldError) result {
		return result{bad: r.badRecord(line, raw, err.Error())}
	}

	if line.TooLong {
		reason := fmt.Sprintf("line is %d bytes long, more than the limit of %d bytes; only its start is kept", line.Length, ingest.MaxRecordBytes)
		return append(results, result{bad: r.badRecord(line, raw, reason)})
	}

	top, reason := decodeLine(body)
	if reason != "" {
		return append(results, result{bad: r.badRecord(line, raw, reason)})
	}
	root, ferr := decodeObject("", top)
	if ferr != nil {
		return append(results, bad(errorf("", "want a JSON object, got %s", jsonType(top))))
	}

	ev, ferr := decodeEvent(root)
	if ferr != nil {
		return append(results, bad(ferr))
	}

	if ev.name == eventOldMessages {
		return r.parseOldMessages(results, ev, root.member("data"), bad, raw)
	}
	data, ferr := decodeObject("data", root.member("data"))
	if ferr != nil {
		return append(results, bad(ferr))
	}
	msg, ferr := r.parseMessage(ev, data, raw)
	if ferr != nil {
		return append(results, bad(ferr))
	}
	return append(results, result{msg: msg})
}

// lineBody returns the line without the byte order mark that may start the
// first line.
func lineBody(number int, line []byte) []byte {
	if number == 1 {
		return bytes.TrimPrefix(line, utf8BOM)
	}
	return line
}

// parseOldMessages appends one result for each element of the data array of
// an old_messages line, so that one bad element does not cost the others.
func (r *reader) parseOldMessages(results []result, ev event, data json.RawMessage, bad func(*fieldError) result, raw []byte) []result {
	elems, ferr := decodeArray("data", data)
	if ferr != nil {
		return append(results, bad(errorf("data", "want an array of message objects, got %s", jsonType(data))))
	}
	for i, elem := range elems {
		obj, ferr := decodeObject(elemPath("data", i), elem)
		if ferr != nil {
			results = append(results, bad(ferr))
			continue
		}
		msg, ferr := r.parseMessage(ev, obj, raw)
		if ferr != nil {
			results = append(results, bad(ferr))
			continue
		}
		results = append(results, result{msg: msg})
	}
	return results
}

// decodeLine checks that body holds exactly one JSON value and returns it,
// or returns a reason why it does not.
func decodeLine(body []byte) (json.RawMessage, string) {
	if start, end, ok := validJSON(body); ok {
		return body[start:end:end], ""
	}
	// validJSON does not say where a line is invalid, so encoding/json reads
	// it again for the reason. encoding/json also accepts values nested
	// deeper than validJSON follows.
	return decodeLineSlow(body)
}

// decodeLineSlow is decodeLine with encoding/json.
func decodeLineSlow(body []byte) (json.RawMessage, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Sprintf("invalid JSON: the line ends inside a value after %d bytes; it may be truncated", len(body))
		case errors.As(err, &syntax):
			return nil, fmt.Sprintf("invalid JSON: syntax error at byte %d of the line, counting from 1", syntax.Offset)
		}
		return nil, "invalid JSON"
	}
	end := dec.InputOffset()
	if len(bytes.TrimLeft(body[end:], " \t\r\n")) != 0 {
		return nil, fmt.Sprintf("invalid JSON: unexpected data after the JSON value that ends at byte %d of the line", end)
	}
	return top, ""
}

func (r *reader) badRecord(line ingest.Line, raw []byte, reason string) *ingest.BadRecord {
	return &ingest.BadRecord{
		File:      r.file,
		Line:      line.Number,
		Offset:    line.Offset,
		Reason:    reason,
		Raw:       raw,
		Truncated: line.TooLong,
	}
}

// Listener events of the capture format.
const (
	eventMessage     = "message"
	eventUndo        = "undo"
	eventReaction    = "reaction"
	eventOldMessages = "old_messages"
)

// Thread types of the capture format.
const (
	threadUser  = "user"
	threadGroup = "group"
)

// event is the envelope of one line.
type event struct {
	name string
	// threadType is "user" or "group", or "" when the line has none and it
	// must be taken from each message's cmd.
	threadType string
}

func decodeEvent(root jsonObject) (event, *fieldError) {
	name, ferr := root.requiredString("event")
	if ferr != nil {
		return event{}, ferr
	}
	switch name {
	case eventMessage, eventUndo, eventReaction, eventOldMessages:
	default:
		return event{}, errorf("event", "unknown event %s; want message, undo, reaction or old_messages", quoteShort(name))
	}

	threadType, ferr := root.optionalString("threadType")
	if ferr != nil {
		return event{}, ferr
	}
	switch threadType {
	case "", threadUser, threadGroup:
	default:
		return event{}, errorf("threadType", "want \"user\" or \"group\", got %s", quoteShort(threadType))
	}

	if root.member("data") == nil {
		return event{}, errorf("data", "missing")
	}
	return event{name: name, threadType: threadType}, nil
}
