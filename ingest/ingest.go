// Package ingest turns chat exports into chat.Message values. Each
// sub-package reads one source format as a stream, so memory stays flat
// however large the input is.
//
// An importer never drops input silently. An item it cannot parse is returned
// as a *BadRecord that names the file, line and byte offset, carries the
// reason and the original bytes, and lets reading go on; the caller keeps it
// in quarantine. A message it parses only in part carries warning codes in
// chat.Message.Warnings.
package ingest

import (
	"fmt"
	"io"
	"time"

	"chatseal/chat"
)

// Options are the facts about an input that the input itself cannot give.
type Options struct {
	// Account is the chatseal account the input belongs to, for example
	// "cskh-hn-01". Required.
	Account string
	// AccountUID is the platform's id of the archived account. Zalo capture
	// files write the logged-in account as uid "0"; the importer puts
	// AccountUID in its place. Empty keeps "0".
	AccountUID string
	// Location is the time zone in which sent_at is written. Nil means
	// Asia/Ho_Chi_Minh.
	Location *time.Location
	// Conversation names the conversation of an export that carries no
	// conversation id of its own (WhatsApp). Empty lets the importer
	// derive one from the file name.
	Conversation string
	// SelfName is the display name of the archived account, for exports
	// that name people but give no ids (Messenger, WhatsApp).
	SelfName string
	// DateOrder is "dmy", "mdy", "ymd" or "" (detect once per file), for
	// exports that write dates in the phone's local order (WhatsApp).
	DateOrder string
	// Warn receives the warnings about the input that belong to no single
	// message, such as a repaired escape or an item skipped for lack of a
	// time. Nil drops them.
	Warn func(Warning)
}

// Warning is a fact about an input that the user should see: something
// repaired, guessed or skipped. It never holds message text.
type Warning struct {
	Code     string `json:"code"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Index    int    `json:"index,omitempty"` // 0-based item position in a JSON array, when Line is unknown
	SourceID string `json:"source_id,omitempty"`
	Field    string `json:"field,omitempty"`
	Count    int    `json:"count,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Emit calls o.Warn with w when o.Warn is set.
func (o Options) Emit(w Warning) {
	if o.Warn != nil {
		o.Warn(w)
	}
}

// MediaOpener is implemented by a Reader whose input can carry attachment
// bytes (a WhatsApp zip, a Telegram export folder). The caller stores the
// bytes of every attachment that has a Path.
type MediaOpener interface {
	// OpenMedia opens the attachment at path, an Attachment.Path the
	// reader returned, and returns its size. It returns an error wrapping
	// fs.ErrNotExist when the export does not hold the file.
	OpenMedia(path string) (io.ReadCloser, int64, error)
}

// Reader reads messages from one input.
type Reader interface {
	// Next returns the next message. At the end of the input it returns
	// io.EOF. For an item that cannot be parsed it returns a *BadRecord and
	// the caller may call Next again; any other error ends the input.
	Next() (*chat.Message, error)
	// Offset returns how many bytes of the input have been consumed, for
	// progress reporting.
	Offset() int64
}

// BadRecord is an item of the input that could not be turned into a message.
type BadRecord struct {
	File   string // input file name as given by the caller
	Line   int    // 1-based line number, 0 when the format has no lines
	Offset int64  // byte offset of the item's start in the file
	Reason string // why it was rejected, without message text
	Raw    []byte // the item's original bytes, possibly cut at MaxRecordBytes
	// Truncated is set when Raw holds only the first MaxRecordBytes bytes.
	Truncated bool
}

func (b *BadRecord) Error() string {
	return fmt.Sprintf("%s:%d (offset %d): %s", b.File, b.Line, b.Offset, b.Reason)
}

// MaxRecordBytes is the largest single record (one line of a line-based
// format) an importer reads into memory. A longer record is reported as a
// BadRecord holding its first MaxRecordBytes bytes, and reading continues at
// the next record.
const MaxRecordBytes = 16 << 20

// Warning codes carried in chat.Message.Warnings.
const (
	WarnUnparseableParams     = "UNPARSEABLE_PARAMS"
	WarnUnknownMsgType        = "UNKNOWN_MSGTYPE"
	WarnUnknownField          = "UNKNOWN_FIELD"
	WarnMissingTS             = "MISSING_TS"
	WarnUnsupportedMessage    = "UNSUPPORTED_MESSAGE"
	WarnMediaNotInExport      = "MEDIA_NOT_IN_EXPORT"
	WarnAmbiguousLocalTime    = "AMBIGUOUS_LOCAL_TIME"
	WarnNonexistentLocalTime  = "NONEXISTENT_LOCAL_TIME"
	WarnInvalidEscapeRepaired = "INVALID_JSON_ESCAPE_REPAIRED"
	WarnMojibakeRepaired      = "MOJIBAKE_REPAIRED"
	WarnMojibakeNotRepairable = "MOJIBAKE_NOT_REPAIRABLE"
	WarnDuplicateClientID     = "DUPLICATE_CLIENT_ID"
	// WarnInvalidField marks a message with an optional member of the wrong
	// type or shape, such as a malformed quote or mention. The member is left
	// out of the message; Raw still holds it.
	WarnInvalidField = "INVALID_FIELD"
	// WarnEmptyInput is an input-level warning: the file is empty, so there
	// is nothing to read, whatever its format.
	WarnEmptyInput = "EMPTY_INPUT"
)

// DefaultLocation returns loc, or Asia/Ho_Chi_Minh when loc is nil.
func DefaultLocation(loc *time.Location) *time.Location {
	if loc != nil {
		return loc
	}
	return HoChiMinh
}

// HoChiMinh is Vietnam's time zone, UTC+7 without daylight saving time. It
// falls back to a fixed zone when the system has no zone database.
var HoChiMinh = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("+07", 7*3600)
	}
	return loc
}()
