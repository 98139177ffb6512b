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
	WarnUnparseableParams = "UNPARSEABLE_PARAMS"
	WarnUnknownMsgType    = "UNKNOWN_MSGTYPE"
	WarnUnknownField      = "UNKNOWN_FIELD"
	WarnMissingTS         = "MISSING_TS"
	// WarnInvalidField marks a message with an optional member of the wrong
	// type or shape, such as a malformed quote or mention. The member is left
	// out of the message; Raw still holds it.
	WarnInvalidField = "INVALID_FIELD"
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

// Sources lists the source names chatseal can import.
var Sources = []string{"zalo", "jsonl"}

// ValidSource reports whether name is a source chatseal can import.
func ValidSource(name string) bool {
	for _, s := range Sources {
		if s == name {
			return true
		}
	}
	return false
}
