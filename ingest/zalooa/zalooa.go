// Package zalooa imports the webhook events of a Zalo Official Account (OA),
// the business account that a company's customers message on Zalo. Zalo
// POSTs each event to the OA's webhook as one JSON body. The input is those
// bodies stored one per line (JSON Lines), as a webhook receiver logs them.
//
// Zalo's own reference (developers.zalo.me) could not be read when this
// package was written. The event shapes follow third-party SDKs and bot
// code: a body has event_name, timestamp (epoch milliseconds, a string or a
// number), app_id, sender.id, recipient.id and, for a message, message.msg_id,
// message.text and message.attachments[{type, payload}]. user_send_* events
// come from a user to the OA. oa_send_* events are the OA's own messages,
// with sender and recipient reversed. follow and unfollow carry follower.id
// and oa_id instead. user_reacted_message and oa_reacted_message carry the
// reacted message's msg_id and a react_icon.
//
// Every event becomes one chat.Message in the conversation of the user the
// OA talks to, whose Conversation is that user's id (an account is one OA,
// so the pair (OA, user) is one conversation). The OA's messages are
// outbound. The OA's id is ingest.Options.AccountUID when set, else the
// event's oa_id. Without either, the event name shows which side is the OA.
// The SourceID of a message event is its message.msg_id. Every other
// event (follow, unfollow, a reaction, user_submit_info, ...) gets the stable
// id "EVENT:SENDER:TIMESTAMP", because a msg_id it carries names another
// message. Re-importing the same log therefore adds nothing. Zalo retries a
// webhook that was not answered in time, and the archive keeps a retried
// event once because its id repeats. Attachments are URLs on Zalo's servers,
// so each is Present=false with AbsentReason remote_url_only.
//
// Events Zalo documents that carry no chat content (user_submit_info,
// user_seen_message, tag changes, ...) are kept as kind unknown. An event
// name that no source documents is kept as kind unknown with an
// UNKNOWN_MSGTYPE warning. Nothing is dropped. Every message keeps its whole
// input line in Raw, byte for byte, except a byte order mark that starts the
// file. A line that is not a JSON object with an event_name and a timestamp
// becomes an *ingest.BadRecord that names the file and line.
package zalooa

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/internal/jsonscan"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "zalo_oa"

// utf8BOM is skipped at the start of the first line.
var utf8BOM = []byte("\xEF\xBB\xBF")

// reader is the ingest.Reader for one webhook log.
type reader struct {
	lines *ingest.LineReader
	file  string
	opts  ingest.Options
	loc   *time.Location
	close func() error
	// names holds the strings that repeat from event to event.
	names interner
	// slab holds the Raw bytes of recent messages; see keep.
	slab []byte
	// members is reused for the members of each line's object.
	members []jsonscan.Member
}

// Open opens the webhook log file at path. See NewReader for opts. The
// returned reader implements io.Closer.
func Open(path string, opts ingest.Options) (ingest.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zalo_oa: open %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("zalo_oa: open %s: %w", path, err)
	}
	if info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("zalo_oa: %s is a folder; want a file of webhook events, one JSON body per line", path)
	}
	r := NewReader(f, path, opts).(*reader)
	r.close = f.Close
	return r, nil
}

// NewReader returns a reader for the webhook log r. file names the input in
// bad records. opts.Account is required; Next returns an error without
// reading when it is empty. opts.AccountUID is the OA's id, when known.
// opts.Location sets the zone of SentAt and defaults to Asia/Ho_Chi_Minh.
//
// The returned reader implements io.Closer, which closes r when it is an
// io.Closer.
func NewReader(r io.Reader, file string, opts ingest.Options) ingest.Reader {
	rd := &reader{
		lines: ingest.NewLineReader(r),
		file:  file,
		opts:  opts,
		loc:   ingest.DefaultLocation(opts.Location),
		names: interner{},
	}
	if c, ok := r.(io.Closer); ok {
		rd.close = c.Close
	}
	return rd
}

// Next returns the next message, an *ingest.BadRecord for a line that is not
// a webhook event, io.EOF at the end of the input, or another error when
// reading fails. Empty and white-space-only lines are skipped.
func (r *reader) Next() (*chat.Message, error) {
	if r.opts.Account == "" {
		return nil, fmt.Errorf("zalo_oa: read %s: ingest.Options.Account is empty; set it to the chatseal account of this input", r.file)
	}
	for {
		line, err := r.lines.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("zalo_oa: read %s: %w", r.file, err)
		}
		body := line.Bytes
		if line.Number == 1 {
			body = bytes.TrimPrefix(body, utf8BOM)
		}
		start := jsonscan.SkipSpace(body, 0)
		if !line.TooLong && start == len(body) {
			continue
		}

		if line.TooLong {
			reason := fmt.Sprintf("line is %d bytes long, more than the limit of %d bytes; only its start is kept", line.Length, ingest.MaxRecordBytes)
			return nil, r.badRecord(line, reason)
		}
		m, reason := r.parseLine(body)
		if reason != "" {
			return nil, r.badRecord(line, reason)
		}
		return m, nil
	}
}

// Offset returns how many bytes of the input have been consumed.
func (r *reader) Offset() int64 { return r.lines.Offset() }

// Close closes the input when it is a file or another io.Closer.
func (r *reader) Close() error {
	if r.close == nil {
		return nil
	}
	err := r.close()
	r.close = nil
	return err
}

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
