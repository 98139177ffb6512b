package chat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// RawFormat is the encoding of Message.Raw in a record.
type RawFormat string

const (
	// RawJSON (the zero value) embeds the payload verbatim as the record's
	// "raw" member. Used when the payload is one valid JSON value with no
	// line breaks and no surrounding white space.
	RawJSON RawFormat = ""
	// RawText stores the payload as a JSON string; decoding the string gives
	// the original bytes. Used for valid UTF-8 that is not embeddable JSON.
	RawText RawFormat = "text"
	// RawBase64 stores the payload as a standard base64 string. Used for
	// bytes that are not valid UTF-8.
	RawBase64 RawFormat = "base64"
)

// EncodeRecord appends the one-line JSON record of m to dst, followed by a
// newline, and returns the extended buffer.
//
// The members are those of Message's json tags, in field order, with
// omitempty applied, and the bytes are those that json.Encoder with
// SetEscapeHTML(false) writes. m.RawFormat is ignored: the record's
// raw_format is chosen from m.Raw. encoding/json compacts and re-escapes a
// json.RawMessage, which would change the source's bytes, so "raw" is always
// the last member and is written by hand. The payload's bytes round-trip
// exactly through DecodeRecord in every RawFormat.
//
// Times must lie in the years 0 to 9999 with a zone offset of less than 24
// hours, and Location coordinates must be finite. Otherwise EncodeRecord
// returns dst unchanged, except that bytes past len(dst) may be overwritten,
// and the error that encoding/json returns for the value.
//
// EncodeRecord does not allocate when dst has room for the record.
func EncodeRecord(dst []byte, m *Message) ([]byte, error) {
	out, _, err := EncodeRecordSplit(dst, m)
	return out, err
}

// EncodeRecordSplit is EncodeRecord that also returns the offset in the
// result at which the members of the raw payload start, or the offset of
// the closing brace when m has none. The record's bytes from its start up
// to that offset, then a closing brace, are the record of m without Raw,
// as EncodeRecord writes it.
func EncodeRecordSplit(dst []byte, m *Message) (out []byte, raw int, err error) {
	out, raw, err = appendMessage(dst, m)
	if err != nil {
		return dst, 0, fmt.Errorf("chat: encode record %s: %w", m.ID, err)
	}
	return append(out, '\n'), raw, nil
}

// RecordSizeHint returns an estimate of the length of m's record with its
// newline, so that a buffer or a batch can be sized once before
// EncodeRecord. It adds the lengths of the strings and the raw payload, a
// share for escapes, and room for member names, numbers and times, and errs
// on the high side.
func RecordSizeHint(m *Message) int {
	n := len(m.ID) + len(m.Tenant) + len(m.Source) + len(m.SourceID) + len(m.ClientID) +
		len(m.Account) + len(m.Conversation) + len(m.ConversationTitle) +
		len(m.Sender.ID) + len(m.Sender.Name) + len(m.Sender.Phone) + len(m.RawType) +
		len(m.Text) + len(m.IndexText) + len(m.ReplyTo) + len(m.Target) + len(m.Reaction) +
		len(m.ThreadRoot) + len(m.ForwardedFrom) + len(m.AuthorSignature)

	for _, a := range m.Attachments {
		n += 192 + len(a.Name) + len(a.DisplayName) + len(a.Path) + len(a.URI) + len(a.SHA256) +
			len(a.Object) + len(a.Title) + len(a.Description) + len(a.ChecksumMD5)
		for _, u := range a.AltURIs {
			n += 4 + len(u)
		}
	}
	if q := m.Quote; q != nil {
		n += 64 + len(q.OwnerID) + len(q.Text) + len(q.FromName) + len(q.Attach)
	}
	if c := m.Contact; c != nil {
		n += 64 + len(c.Name) + len(c.Phone) + len(c.UserID) + len(c.RawParams)
	}
	if m.Location != nil {
		n += 96 + len(m.Location.Title)
	}
	if m.Call != nil {
		n += 64
	}
	if m.EditedAt != nil {
		n += 64
	}
	for _, e := range m.Entities {
		n += 96 + len(e.Type) + len(e.Href) + len(e.UserID)
	}

	n += 64 * (len(m.Mentions) + len(m.Members) + len(m.Reactions))
	for _, list := range [][]string{m.Flags, m.AliasIDs, m.Warnings} {
		for _, v := range list {
			n += 4 + len(v)
		}
	}

	n += n / 8
	n += len(m.Raw) + len(m.Raw)/8
	// Member names, punctuation, the seq, kind, direction and two times.
	return n + 384
}

// AppendWithSeq appends to dst the record line, as EncodeRecord wrote it
// for the message with the given id, with its seq member set to seq. It
// returns the extended buffer and how many bytes longer the record became,
// which moves the offsets of the later members by as much. It returns an
// error and dst unchanged when line does not begin with that id and a seq.
//
// This spares encoding a spooled message again once its seq is known.
func AppendWithSeq(dst, line []byte, id string, seq uint64) ([]byte, int, error) {
	// EncodeRecord writes the id and seq members first, as
	// {"id":"…","seq":N, and an id that needs no escape as it is.
	const head, seqKey = `{"id":"`, `","seq":`
	idStart := len(head)
	seqStart := idStart + len(id)
	digits := seqStart + len(seqKey)
	matches := indexStringSpecial(id, 0) == len(id) &&
		len(line) >= digits &&
		string(line[:idStart]) == head &&
		string(line[idStart:seqStart]) == id &&
		string(line[seqStart:digits]) == seqKey
	if !matches {
		return dst, 0, fmt.Errorf("chat: record does not begin with the id %q and a seq", id)
	}
	end := digits
	for end < len(line) && line[end] >= '0' && line[end] <= '9' {
		end++
	}
	if end == digits {
		return dst, 0, fmt.Errorf("chat: record of %q has no seq value", id)
	}
	n := len(dst)
	dst = append(dst, line[:digits]...)
	dst = strconv.AppendUint(dst, seq, 10)
	grew := len(dst) - n - end
	return append(dst, line[end:]...), grew, nil
}

// appendMessage appends the record of m, without the newline, and returns
// the offset at which its raw members start (see EncodeRecordSplit).
func appendMessage(dst []byte, m *Message) ([]byte, int, error) {
	var err error
	open := len(dst) + 1
	dst = append(dst, '{')

	dst = appendKey(dst, open, "id")
	dst = appendString(dst, m.ID)
	dst = appendKey(dst, open, "seq")
	dst = strconv.AppendUint(dst, m.Seq, 10)
	dst = appendKey(dst, open, "tenant")
	dst = appendString(dst, m.Tenant)
	dst = appendKey(dst, open, "source")
	dst = appendString(dst, m.Source)
	dst = appendKey(dst, open, "source_id")
	dst = appendString(dst, m.SourceID)
	dst = appendOptionalString(dst, open, "client_id", m.ClientID)
	dst = appendKey(dst, open, "account")
	dst = appendString(dst, m.Account)
	dst = appendKey(dst, open, "conversation")
	dst = appendString(dst, m.Conversation)
	dst = appendKey(dst, open, "conversation_kind")
	dst = appendString(dst, string(m.ConversationKind))
	dst = appendOptionalString(dst, open, "conversation_title", m.ConversationTitle)

	dst = appendKey(dst, open, "sent_at")
	if dst, err = appendTime(dst, m.SentAt); err != nil {
		return nil, 0, err
	}
	dst = appendKey(dst, open, "ingested_at")
	if dst, err = appendTime(dst, m.IngestedAt); err != nil {
		return nil, 0, err
	}

	dst = appendKey(dst, open, "sender")
	dst = appendParticipant(dst, &m.Sender)
	dst = appendKey(dst, open, "direction")
	dst = appendString(dst, string(m.Direction))
	dst = appendKey(dst, open, "kind")
	dst = appendString(dst, string(m.Kind))
	dst = appendOptionalString(dst, open, "raw_type", m.RawType)
	dst = appendKey(dst, open, "text")
	dst = appendString(dst, m.Text)
	dst = appendOptionalString(dst, open, "index_text", m.IndexText)
	dst = appendOptionalString(dst, open, "reply_to", m.ReplyTo)
	dst = appendOptionalString(dst, open, "target", m.Target)
	dst = appendOptionalString(dst, open, "reaction", m.Reaction)
	if m.ReactionRemoved {
		dst = appendKey(dst, open, "reaction_removed")
		dst = append(dst, "true"...)
	}
	dst = appendOptionalString(dst, open, "thread_root", m.ThreadRoot)
	dst = appendOptionalString(dst, open, "forwarded_from", m.ForwardedFrom)
	dst = appendOptionalString(dst, open, "author_signature", m.AuthorSignature)
	if m.Edited {
		dst = appendKey(dst, open, "edited")
		dst = append(dst, "true"...)
	}
	if m.EditedAt != nil {
		dst = appendKey(dst, open, "edited_at")
		if dst, err = appendTime(dst, *m.EditedAt); err != nil {
			return nil, 0, err
		}
	}
	if len(m.Flags) > 0 {
		dst = appendKey(dst, open, "flags")
		dst = appendStrings(dst, m.Flags)
	}
	if len(m.AliasIDs) > 0 {
		dst = appendKey(dst, open, "alias_ids")
		dst = appendStrings(dst, m.AliasIDs)
	}

	if m.Quote != nil {
		dst = appendKey(dst, open, "quote")
		dst = appendQuote(dst, m.Quote)
	}
	if len(m.Mentions) > 0 {
		dst = appendKey(dst, open, "mentions")
		dst = append(dst, '[')
		for i := range m.Mentions {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendMention(dst, &m.Mentions[i])
		}
		dst = append(dst, ']')
	}
	if len(m.Entities) > 0 {
		dst = appendKey(dst, open, "entities")
		dst = append(dst, '[')
		for i := range m.Entities {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendEntity(dst, &m.Entities[i])
		}
		dst = append(dst, ']')
	}
	if m.Contact != nil {
		dst = appendKey(dst, open, "contact")
		dst = appendContact(dst, m.Contact)
	}
	if m.Call != nil {
		dst = appendKey(dst, open, "call")
		dst = appendCall(dst, m.Call)
	}
	if m.Location != nil {
		dst = appendKey(dst, open, "location")
		if dst, err = appendLocation(dst, m.Location); err != nil {
			return nil, 0, err
		}
	}
	if len(m.Members) > 0 {
		dst = appendKey(dst, open, "members")
		dst = append(dst, '[')
		for i := range m.Members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendParticipant(dst, &m.Members[i])
		}
		dst = append(dst, ']')
	}
	if len(m.Reactions) > 0 {
		dst = appendKey(dst, open, "reactions")
		dst = append(dst, '[')
		for i := range m.Reactions {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendReaction(dst, &m.Reactions[i])
		}
		dst = append(dst, ']')
	}
	if len(m.Attachments) > 0 {
		dst = appendKey(dst, open, "attachments")
		dst = append(dst, '[')
		for i := range m.Attachments {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendAttachment(dst, &m.Attachments[i])
		}
		dst = append(dst, ']')
	}
	if len(m.Warnings) > 0 {
		dst = appendKey(dst, open, "warnings")
		dst = appendStrings(dst, m.Warnings)
	}

	raw := len(dst)
	dst = appendRaw(dst, open, m.Raw)
	return append(dst, '}'), raw, nil
}

// appendRaw appends the raw_format and raw members for the payload raw,
// or nothing when raw is empty.
func appendRaw(dst []byte, open int, raw []byte) []byte {
	if len(raw) == 0 {
		return dst
	}
	format := rawFormatOf(raw)
	dst = appendOptionalString(dst, open, "raw_format", format)
	dst = appendKey(dst, open, "raw")
	switch format {
	case RawJSON:
		dst = append(dst, raw...)
	case RawText:
		dst = appendString(dst, raw)
	case RawBase64:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, raw)
		dst = append(dst, '"')
	}
	return dst
}

func appendParticipant(dst []byte, p *Participant) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendKey(dst, open, "id")
	dst = appendString(dst, p.ID)
	dst = appendOptionalString(dst, open, "name", p.Name)
	dst = appendOptionalString(dst, open, "phone", p.Phone)
	return append(dst, '}')
}

func appendQuote(dst []byte, q *Quote) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendOptionalString(dst, open, "owner_id", q.OwnerID)
	dst = appendOptionalString(dst, open, "text", q.Text)
	dst = appendOptionalString(dst, open, "from_name", q.FromName)
	dst = appendOptionalString(dst, open, "attach", q.Attach)
	return append(dst, '}')
}

func appendMention(dst []byte, mention *Mention) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendOptionalString(dst, open, "user_id", mention.UserID)
	if mention.AllMembers {
		dst = appendKey(dst, open, "all_members")
		dst = append(dst, "true"...)
	}
	dst = appendKey(dst, open, "offset")
	dst = strconv.AppendInt(dst, int64(mention.Offset), 10)
	dst = appendKey(dst, open, "length")
	dst = strconv.AppendInt(dst, int64(mention.Length), 10)
	return append(dst, '}')
}

func appendEntity(dst []byte, e *Entity) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendKey(dst, open, "type")
	dst = appendString(dst, e.Type)
	dst = appendKey(dst, open, "offset")
	dst = strconv.AppendInt(dst, int64(e.Offset), 10)
	dst = appendKey(dst, open, "length")
	dst = strconv.AppendInt(dst, int64(e.Length), 10)
	dst = appendOptionalString(dst, open, "href", e.Href)
	dst = appendOptionalString(dst, open, "user_id", e.UserID)
	return append(dst, '}')
}

func appendReaction(dst []byte, r *Reaction) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendOptionalString(dst, open, "actor_id", r.ActorID)
	dst = appendOptionalString(dst, open, "actor", r.Actor)
	dst = appendKey(dst, open, "reaction")
	dst = appendString(dst, r.Reaction)
	return append(dst, '}')
}

func appendContact(dst []byte, c *Contact) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendOptionalString(dst, open, "name", c.Name)
	dst = appendOptionalString(dst, open, "phone", c.Phone)
	dst = appendOptionalString(dst, open, "user_id", c.UserID)
	dst = appendOptionalString(dst, open, "raw_params", c.RawParams)
	return append(dst, '}')
}

func appendCall(dst []byte, c *Call) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendKey(dst, open, "duration_seconds")
	dst = strconv.AppendInt(dst, c.DurationSeconds, 10)
	dst = appendOptionalInt(dst, open, "raw_calltype", c.RawCallType)
	return append(dst, '}')
}

func appendLocation(dst []byte, l *Location) ([]byte, error) {
	var err error
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendKey(dst, open, "latitude")
	if dst, err = appendFloat(dst, l.Latitude); err != nil {
		return nil, err
	}
	dst = appendKey(dst, open, "longitude")
	if dst, err = appendFloat(dst, l.Longitude); err != nil {
		return nil, err
	}
	dst = appendOptionalString(dst, open, "title", l.Title)
	return append(dst, '}'), nil
}

func appendAttachment(dst []byte, a *Attachment) []byte {
	open := len(dst) + 1
	dst = append(dst, '{')
	dst = appendKey(dst, open, "kind")
	dst = appendString(dst, a.Kind)
	dst = appendOptionalString(dst, open, "name", a.Name)
	dst = appendOptionalString(dst, open, "display_name", a.DisplayName)
	dst = appendOptionalString(dst, open, "mime", a.MIME)
	if a.Size != nil {
		dst = appendKey(dst, open, "size")
		dst = strconv.AppendInt(dst, *a.Size, 10)
	}
	dst = appendOptionalString(dst, open, "sha256", a.SHA256)
	dst = appendOptionalString(dst, open, "object", a.Object)
	dst = appendOptionalString(dst, open, "path", a.Path)
	dst = appendOptionalString(dst, open, "uri", a.URI)
	if len(a.AltURIs) > 0 {
		dst = appendKey(dst, open, "alt_uris")
		dst = appendStrings(dst, a.AltURIs)
	}
	if a.Present != nil {
		dst = appendKey(dst, open, "present")
		dst = strconv.AppendBool(dst, *a.Present)
	}
	dst = appendOptionalString(dst, open, "absent_reason", a.AbsentReason)
	dst = appendOptionalInt(dst, open, "width", int64(a.Width))
	dst = appendOptionalInt(dst, open, "height", int64(a.Height))
	dst = appendOptionalInt(dst, open, "duration_ms", a.DurationMS)
	dst = appendOptionalString(dst, open, "checksum_md5", a.ChecksumMD5)
	dst = appendOptionalString(dst, open, "ext", a.Ext)
	dst = appendOptionalString(dst, open, "title", a.Title)
	dst = appendOptionalString(dst, open, "description", a.Description)
	dst = appendOptionalString(dst, open, "sticker_id", a.StickerID)
	dst = appendOptionalString(dst, open, "category_id", a.CategoryID)
	return append(dst, '}')
}

func appendStrings(dst []byte, list []string) []byte {
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// appendKey appends the member name key and its colon, preceded by a comma
// unless the member is the first of the object whose members start at
// offset open of dst.
func appendKey(dst []byte, open int, key string) []byte {
	if len(dst) > open {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// appendOptionalString appends the member key unless value is empty, as
// omitempty does.
func appendOptionalString[T ~string](dst []byte, open int, key string, value T) []byte {
	if value == "" {
		return dst
	}
	dst = appendKey(dst, open, key)
	return appendString(dst, string(value))
}

// appendOptionalInt appends the member key unless value is 0, as omitempty
// does.
func appendOptionalInt(dst []byte, open int, key string, value int64) []byte {
	if value == 0 {
		return dst
	}
	dst = appendKey(dst, open, key)
	return strconv.AppendInt(dst, value, 10)
}

// DecodeRecord parses one record line as written by EncodeRecord. The
// returned message's Raw holds the original payload bytes whatever RawFormat
// the record used, and RawFormat is cleared.
//
// For every line, DecodeRecord returns the message or the error that
// decoding with json.Unmarshal returns. Lines in the form that EncodeRecord
// writes take a fast path without json.Unmarshal. Every other line, and
// every line with an error, goes through json.Unmarshal.
func DecodeRecord(line []byte) (*Message, error) {
	m := new(Message)
	if scanRecord(line, m) {
		return m, nil
	}
	*m = Message{}
	if err := json.Unmarshal(line, m); err != nil {
		return nil, fmt.Errorf("chat: decode record: %w", err)
	}
	switch m.RawFormat {
	case RawJSON:
	case RawText:
		var s string
		if err := json.Unmarshal(m.Raw, &s); err != nil {
			return nil, fmt.Errorf("chat: decode raw text of record %s: %w", m.ID, err)
		}
		m.Raw = json.RawMessage(s)
	case RawBase64:
		var s string
		if err := json.Unmarshal(m.Raw, &s); err != nil {
			return nil, fmt.Errorf("chat: decode raw base64 of record %s: %w", m.ID, err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("chat: decode raw base64 of record %s: %w", m.ID, err)
		}
		m.Raw = b
	default:
		return nil, fmt.Errorf("chat: record %s has unknown raw_format %q", m.ID, m.RawFormat)
	}
	m.RawFormat = RawJSON
	return m, nil
}

func rawFormatOf(raw []byte) RawFormat {
	if len(raw) == 0 {
		return RawJSON
	}
	if !utf8.Valid(raw) {
		return RawBase64
	}
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		return RawText
	}
	if isJSONSpace(raw[0]) || isJSONSpace(raw[len(raw)-1]) || !validJSON(raw) {
		return RawText
	}
	return RawJSON
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
