package whatsapp

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"path/filepath"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// An export has no message ids, so a message's SourceID is derived from what
// the export writes about it. With
//
//	d = SHA-256(conversation, minute, sender, body)
//
// the id is hex(d[:16]) for the first message of a file with these values,
// and hex(SHA-256(d, k)[:16]) for the k-th, k > 1. The fields are:
//
//   - conversation: the message's Conversation;
//   - minute: the local date, hour and minute as written, without seconds,
//     zone or 12-hour marker;
//   - sender: the author's name in NFC, empty for system lines;
//   - body: the text after "Author: " as written, continuation lines
//     included.
//
// Each value is preceded by its length as 8 bytes, big-endian, and so is k.
// An overlapping later export of the same chat gives the same messages the
// same ids, so that only its new messages are new, and two identical "ok"
// sent in one minute stay two messages.

// idHasher computes source ids. It is not safe for concurrent use.
type idHasher struct {
	h      hash.Hash
	minute []byte
	buf    []byte
	sum    [sha256.Size]byte
	occ    occurrences
}

func newIDHasher() *idHasher {
	return &idHasher{h: sha256.New(), occ: occurrences{counts: map[uint64]occurrence{}}}
}

// sourceID returns the id of a message and counts it for later duplicates.
func (ih *idHasher) sourceID(conversation string, w wallClock, sender, body string) string {
	ih.minute = appendMinute(ih.minute[:0], w)
	buf := appendField(ih.buf[:0], conversation)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(ih.minute)))
	buf = append(buf, ih.minute...)
	buf = appendField(buf, sender)
	buf = appendField(buf, body)
	if cap(buf) <= maxKeptIDBuffer {
		ih.buf = buf
	}
	ih.h.Reset()
	ih.h.Write(buf)
	digest := ih.h.Sum(ih.sum[:0])

	// The digest's first 8 bytes key the count: a collision of two tuples
	// would only shift k, and would repeat on every import.
	if k := ih.occ.next(binary.BigEndian.Uint64(digest), w.minuteKey()); k > 1 {
		var first [sha256.Size]byte
		copy(first[:], digest)
		ih.h.Reset()
		ih.h.Write(first[:])
		ih.h.Write(binary.BigEndian.AppendUint64(first[:0], uint64(k)))
		digest = ih.h.Sum(ih.sum[:0])
	}
	var id [32]byte
	hex.Encode(id[:], digest[:16])
	return string(id[:])
}

// maxKeptIDBuffer is the largest hashing buffer idHasher keeps for the next
// message, so that one huge message does not pin its size.
const maxKeptIDBuffer = 1 << 20

func appendField(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendMinute appends w's minute as "2024-03-01T08:01".
func appendMinute(dst []byte, w wallClock) []byte {
	dst = appendDigits(dst, w.year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, w.month, 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, w.day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, w.hour, 2)
	dst = append(dst, ':')
	return appendDigits(dst, w.minute, 2)
}

func appendDigits(dst []byte, n, width int) []byte {
	var tmp [8]byte
	i := len(tmp)
	for n > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, tmp[i:]...)
}

// occurrences counts each (minute, sender, body) of a file. To keep memory
// flat on a long export, it drops the tuples of minutes more than
// forgetAfter before the latest minute seen. NOTE: a message dated that far
// before an earlier message of the same file restarts its count, as after a
// phone clock set back by two days. It could then share the id of an
// identical message sent in the same minute before.
type occurrences struct {
	counts  map[uint64]occurrence
	latest  int64 // the greatest minute key seen
	pruneAt int   // map size that triggers the next pruning
}

type occurrence struct {
	n      uint32
	minute int64
}

// forgetAfter is how many minutes a tuple is remembered after the latest
// minute seen: two days, longer than any daylight-saving repeat.
const forgetAfter = 2 * 24 * 60

// minPruneAt is the map size below which occurrences never prunes.
const minPruneAt = 1 << 12

// next counts one more occurrence of key in minute and returns its number,
// from 1.
func (o *occurrences) next(key uint64, minute int64) int {
	o.latest = max(o.latest, minute)
	c := o.counts[key]
	c.n++
	c.minute = minute
	o.counts[key] = c
	if len(o.counts) >= max(o.pruneAt, minPruneAt) {
		for k, v := range o.counts {
			if v.minute < o.latest-forgetAfter {
				delete(o.counts, k)
			}
		}
		o.pruneAt = 2 * len(o.counts)
	}
	return int(c.n)
}

// chatFilePrefixes start the names WhatsApp gives an exported chat, before
// the chat's name: "WhatsApp Chat with Chị Tuyết.txt" on Android, "WhatsApp
// Chat - Nhóm khách sỉ.zip" on iOS, and their translations. NOTE: only the
// English, Spanish, German, French and Portuguese names were seen in public
// examples; the others are unverified.
var chatFilePrefixes = []string{
	"WhatsApp Chat with ",
	"WhatsApp Chat - ",
	"Chat de WhatsApp con ",
	"WhatsApp-Chat mit ",
	"Discussion WhatsApp avec ",
	"Conversa do WhatsApp com ",
	"Chat WhatsApp con ",
	"WhatsApp-chat met ",
	"Chat WhatsApp dengan ",
	"Đoạn chat WhatsApp với ",
	"Cuộc trò chuyện WhatsApp với ",
}

// titleFromFileName returns the chat name in an export's file name, or ""
// when the name is not one WhatsApp gives. A " (2)"-style suffix that a
// download adds to a repeated name is removed.
func titleFromFileName(name string) string {
	base := stripExt(norm.NFC.String(filepath.Base(name)))
	base = stripCopySuffix(base)
	for _, p := range chatFilePrefixes {
		if len(base) > len(p) && strings.EqualFold(base[:len(p)], p) {
			return strings.TrimSpace(base[len(p):])
		}
	}
	return ""
}

// stripExt removes a .txt or .zip extension.
func stripExt(name string) string {
	if ext := filepath.Ext(name); strings.EqualFold(ext, ".txt") || strings.EqualFold(ext, ".zip") {
		return name[:len(name)-len(ext)]
	}
	return name
}

// stripCopySuffix removes " (N)" from the end of name.
func stripCopySuffix(name string) string {
	if !strings.HasSuffix(name, ")") {
		return name
	}
	open := strings.LastIndex(name, " (")
	if open < 0 {
		return name
	}
	digits := name[open+2 : len(name)-1]
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return name
	}
	return name[:open]
}

// phoneOf returns the number of an author slot that holds a phone number,
// as WhatsApp writes unsaved contacts ("+84 90 123 4567"), in the form
// "+84901234567", or "" for a name.
func phoneOf(name string) string {
	if !strings.HasPrefix(name, "+") {
		return ""
	}
	digits := make([]byte, 1, len(name))
	digits[0] = '+'
	for _, r := range name[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ', r == '-', r == '(', r == ')', r == '.', isSpace(r), isMark(r):
		default:
			return ""
		}
	}
	if len(digits) < 9 || len(digits) > 16 { // E.164: at most 15 digits; fewer than 8 is no subscriber number
		return ""
	}
	return string(digits)
}
