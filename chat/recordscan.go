package chat

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// scanRecord is the fast path of DecodeRecord. It decodes line into m, which
// must be the zero Message, and reports true when line is a record in the
// form EncodeRecord writes and json.Unmarshal would decode it without error.
// For any other line it reports false and leaves m partly filled, and
// DecodeRecord decodes the line again with json.Unmarshal.
//
// The accepted form has no white space, keys in field order with their
// exact names, no null outside the raw payload and no duplicate member. Members may be missing,
// which json.Unmarshal also leaves at their zero value. Strings with
// invalid UTF-8 are left to json.Unmarshal, which replaces each bad byte
// with U+FFFD.
func scanRecord(line []byte, m *Message) bool {
	s := recordScanner{data: line}
	s.openObject()

	if s.member("id") {
		m.ID = s.stringValue()
	}
	if s.member("seq") {
		m.Seq = s.uint64Value()
	}
	if s.member("tenant") {
		m.Tenant = knownString(&s, []string{DefaultTenant})
	}
	if s.member("source") {
		m.Source = s.stringValue()
	}
	if s.member("source_id") {
		m.SourceID = s.stringValue()
	}
	if s.member("client_id") {
		m.ClientID = s.stringValue()
	}
	if s.member("account") {
		m.Account = s.stringValue()
	}
	if s.member("conversation") {
		m.Conversation = s.stringValue()
	}
	if s.member("conversation_kind") {
		m.ConversationKind = knownString(&s, []ConversationKind{Direct, Group, Channel})
	}
	if s.member("conversation_title") {
		m.ConversationTitle = s.stringValue()
	}
	if s.member("sent_at") {
		m.SentAt = s.timeValue()
	}
	if s.member("ingested_at") {
		m.IngestedAt = s.timeValue()
	}
	if s.member("sender") {
		s.participant(&m.Sender)
	}
	if s.member("direction") {
		m.Direction = knownString(&s, []Direction{Inbound, Outbound})
	}
	if s.member("kind") {
		m.Kind = knownString(&s, Kinds)
	}
	if s.member("raw_type") {
		m.RawType = s.stringValue()
	}
	if s.member("text") {
		m.Text = s.stringValue()
	}
	if s.member("index_text") {
		m.IndexText = s.stringValue()
	}
	if s.member("reply_to") {
		m.ReplyTo = s.stringValue()
	}
	if s.member("target") {
		m.Target = s.stringValue()
	}
	if s.member("reaction") {
		m.Reaction = s.stringValue()
	}
	if s.member("reaction_removed") {
		m.ReactionRemoved = s.boolValue()
	}
	if s.member("thread_root") {
		m.ThreadRoot = s.stringValue()
	}
	if s.member("forwarded_from") {
		m.ForwardedFrom = s.stringValue()
	}
	if s.member("author_signature") {
		m.AuthorSignature = s.stringValue()
	}
	if s.member("edited") {
		m.Edited = s.boolValue()
	}
	if s.member("edited_at") {
		t := s.timeValue()
		m.EditedAt = &t
	}
	if s.member("flags") {
		m.Flags = s.stringList()
	}
	if s.member("alias_ids") {
		m.AliasIDs = s.stringList()
	}

	if s.member("quote") {
		m.Quote = new(Quote)
		s.quote(m.Quote)
	}
	if s.member("mentions") {
		m.Mentions = make([]Mention, 0)
		for s.openArray(); s.element(); {
			m.Mentions = append(m.Mentions, Mention{})
			s.mention(&m.Mentions[len(m.Mentions)-1])
		}
		s.closeArray()
	}
	if s.member("entities") {
		m.Entities = make([]Entity, 0)
		for s.openArray(); s.element(); {
			m.Entities = append(m.Entities, Entity{})
			s.entity(&m.Entities[len(m.Entities)-1])
		}
		s.closeArray()
	}
	if s.member("contact") {
		m.Contact = new(Contact)
		s.contact(m.Contact)
	}
	if s.member("call") {
		m.Call = new(Call)
		s.call(m.Call)
	}
	if s.member("location") {
		m.Location = new(Location)
		s.location(m.Location)
	}
	if s.member("members") {
		m.Members = make([]Participant, 0)
		for s.openArray(); s.element(); {
			m.Members = append(m.Members, Participant{})
			s.participant(&m.Members[len(m.Members)-1])
		}
		s.closeArray()
	}
	if s.member("reactions") {
		m.Reactions = make([]Reaction, 0)
		for s.openArray(); s.element(); {
			m.Reactions = append(m.Reactions, Reaction{})
			s.reaction(&m.Reactions[len(m.Reactions)-1])
		}
		s.closeArray()
	}
	if s.member("attachments") {
		m.Attachments = make([]Attachment, 0)
		for s.openArray(); s.element(); {
			m.Attachments = append(m.Attachments, Attachment{})
			s.attachment(&m.Attachments[len(m.Attachments)-1])
		}
		s.closeArray()
	}
	if s.member("warnings") {
		m.Warnings = s.stringList()
	}

	format := RawJSON
	if s.member("raw_format") {
		format = knownString(&s, []RawFormat{RawJSON, RawText, RawBase64})
	}
	if s.member("raw") {
		m.Raw = s.raw(format)
	} else if format != RawJSON {
		// json.Unmarshal's path reports a missing payload or an unknown
		// raw_format.
		s.failed = true
	}

	s.closeObject()
	return !s.failed && s.pos == len(s.data)
}

// recordScanner reads a record line front to back. Once a read fails, the
// scanner is failed and every later read is a no-op returning zero values,
// so the caller checks failed once at the end.
type recordScanner struct {
	data   []byte
	pos    int
	failed bool
	// first is true between the opening of an object or array and its
	// first member or element.
	first bool
}

func (s *recordScanner) expectByte(c byte) {
	if s.failed || s.pos >= len(s.data) || s.data[s.pos] != c {
		s.failed = true
		return
	}
	s.pos++
}

func (s *recordScanner) openObject() {
	s.expectByte('{')
	s.first = true
}

func (s *recordScanner) closeObject() {
	s.expectByte('}')
	s.first = false
}

// member reports whether the next member of the open object has the name
// key and, if so, consumes its key and colon. A member that is absent here
// is taken to be missing: members come in field order, and a key that
// matches no later field makes closeObject fail.
func (s *recordScanner) member(key string) bool {
	if s.failed {
		return false
	}
	i := s.pos
	if !s.first {
		if i >= len(s.data) || s.data[i] != ',' {
			return false
		}
		i++
	}
	end := i + len(key) + 3
	if end > len(s.data) || s.data[i] != '"' || string(s.data[i+1:end-2]) != key || s.data[end-2] != '"' || s.data[end-1] != ':' {
		return false
	}
	s.pos = end
	s.first = false
	return true
}

func (s *recordScanner) openArray() {
	s.expectByte('[')
	s.first = true
}

// element reports whether the open array has another element and, if so,
// consumes the comma before it.
func (s *recordScanner) element() bool {
	if s.failed || s.pos >= len(s.data) || s.data[s.pos] == ']' {
		return false
	}
	if !s.first {
		s.expectByte(',')
	}
	s.first = false
	return !s.failed
}

func (s *recordScanner) closeArray() {
	s.expectByte(']')
	s.first = false
}

// stringBytes reads a JSON string and returns its decoded contents. The
// result aliases the line when the string has no escape sequence.
func (s *recordScanner) stringBytes() []byte {
	if s.failed || s.pos >= len(s.data) || s.data[s.pos] != '"' {
		s.failed = true
		return nil
	}
	start := s.pos + 1
	end := indexStringSpecial(s.data, start)
	switch {
	case end == len(s.data) || s.data[end] < 0x20:
		s.failed = true
		return nil
	case s.data[end] == '\\':
		return s.escapedStringBytes(start)
	}
	text := s.data[start:end]
	if !utf8.Valid(text) {
		s.failed = true
		return nil
	}
	s.pos = end + 1
	return text
}

// escapedStringBytes finishes stringBytes for a string, starting at
// data[start], that has an escape sequence.
func (s *recordScanner) escapedStringBytes(start int) []byte {
	end, ok := scanString(s.data, start-1)
	if !ok {
		s.failed = true
		return nil
	}
	text, ok := unescapeString(nil, s.data[start:end-1])
	if !ok {
		s.failed = true
		return nil
	}
	s.pos = end
	return text
}

func (s *recordScanner) stringValue() string {
	return string(s.stringBytes())
}

// knownString reads a JSON string and returns the element of known that
// equals it, which saves an allocation, or else a new string.
func knownString[T ~string](s *recordScanner, known []T) T {
	text := s.stringBytes()
	for _, k := range known {
		if string(text) == string(k) {
			return k
		}
	}
	return T(text)
}

func (s *recordScanner) stringList() []string {
	list := make([]string, 0)
	for s.openArray(); s.element(); {
		list = append(list, s.stringValue())
	}
	s.closeArray()
	return list
}

// timeValue reads a JSON string with time.Time.UnmarshalJSON, the method that
// json.Unmarshal calls, so that the result and the accepted inputs are the
// same.
func (s *recordScanner) timeValue() time.Time {
	if s.failed || s.pos >= len(s.data) || s.data[s.pos] != '"' {
		s.failed = true
		return time.Time{}
	}
	end, ok := scanString(s.data, s.pos)
	if !ok {
		s.failed = true
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalJSON(s.data[s.pos:end]); err != nil {
		s.failed = true
		return time.Time{}
	}
	s.pos = end
	return t
}

// numberText reads a JSON number and returns its text.
func (s *recordScanner) numberText() []byte {
	if s.failed || s.pos >= len(s.data) {
		s.failed = true
		return nil
	}
	end, ok := scanNumber(s.data, s.pos)
	if !ok {
		s.failed = true
		return nil
	}
	text := s.data[s.pos:end]
	s.pos = end
	return text
}

// uint64Value reads a JSON number that is an integer in the range of uint64.
// Like json.Unmarshal, it rejects a fraction, an exponent and a minus sign,
// even "-0".
func (s *recordScanner) uint64Value() uint64 {
	n, ok := parseDecimal(s.numberText())
	if !ok {
		s.failed = true
		return 0
	}
	return n
}

// int64Value reads a JSON number that is an integer in the range of int64.
func (s *recordScanner) int64Value() int64 {
	text := s.numberText()
	negative := len(text) > 0 && text[0] == '-'
	if negative {
		text = text[1:]
	}
	n, ok := parseDecimal(text)
	switch {
	case ok && !negative && n <= math.MaxInt64:
		return int64(n)
	case ok && negative && n <= -math.MinInt64:
		return int64(-n)
	}
	s.failed = true
	return 0
}

// parseDecimal parses a non-empty string of decimal digits that fits a
// uint64.
func parseDecimal(digits []byte) (uint64, bool) {
	if len(digits) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range digits {
		if !isDigit(c) {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// intValue reads a JSON number that is an integer in the range of int.
func (s *recordScanner) intValue() int {
	n := s.int64Value()
	if int64(int(n)) != n {
		s.failed = true
		return 0
	}
	return int(n)
}

func (s *recordScanner) float64Value() float64 {
	text := s.numberText()
	if s.failed {
		return 0
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		s.failed = true
		return 0
	}
	return f
}

func (s *recordScanner) boolValue() bool {
	if s.failed {
		return false
	}
	rest := s.data[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return false
	}
	s.failed = true
	return false
}

// raw reads the "raw" member, which EncodeRecord writes last, and returns
// the payload that it stores in format.
func (s *recordScanner) raw(format RawFormat) []byte {
	if s.failed {
		return nil
	}
	switch format {
	case RawJSON:
		// The payload is all that lies between the member's colon and the
		// record's closing brace. json.Unmarshal would cut any white space
		// around it, so such a payload is left to it.
		last := len(s.data) - 1
		if last <= s.pos || s.data[last] != '}' {
			s.failed = true
			return nil
		}
		payload := s.data[s.pos:last]
		if isJSONSpace(payload[0]) || isJSONSpace(payload[len(payload)-1]) || !validJSON(payload) {
			s.failed = true
			return nil
		}
		s.pos = last
		return append(make([]byte, 0, len(payload)), payload...)
	case RawText:
		text := s.stringBytes()
		return append(make([]byte, 0, len(text)), text...)
	case RawBase64:
		text := s.stringBytes()
		payload := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(payload, text)
		if err != nil {
			s.failed = true
			return nil
		}
		return payload[:n]
	}
	// json.Unmarshal's path reports an unknown raw_format.
	s.failed = true
	return nil
}

func (s *recordScanner) participant(p *Participant) {
	s.openObject()
	if s.member("id") {
		p.ID = s.stringValue()
	}
	if s.member("name") {
		p.Name = s.stringValue()
	}
	if s.member("phone") {
		p.Phone = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) quote(q *Quote) {
	s.openObject()
	if s.member("owner_id") {
		q.OwnerID = s.stringValue()
	}
	if s.member("text") {
		q.Text = s.stringValue()
	}
	if s.member("from_name") {
		q.FromName = s.stringValue()
	}
	if s.member("attach") {
		q.Attach = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) mention(mention *Mention) {
	s.openObject()
	if s.member("user_id") {
		mention.UserID = s.stringValue()
	}
	if s.member("all_members") {
		mention.AllMembers = s.boolValue()
	}
	if s.member("offset") {
		mention.Offset = s.intValue()
	}
	if s.member("length") {
		mention.Length = s.intValue()
	}
	s.closeObject()
}

func (s *recordScanner) entity(e *Entity) {
	s.openObject()
	if s.member("type") {
		e.Type = s.stringValue()
	}
	if s.member("offset") {
		e.Offset = s.intValue()
	}
	if s.member("length") {
		e.Length = s.intValue()
	}
	if s.member("href") {
		e.Href = s.stringValue()
	}
	if s.member("user_id") {
		e.UserID = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) reaction(r *Reaction) {
	s.openObject()
	if s.member("actor_id") {
		r.ActorID = s.stringValue()
	}
	if s.member("actor") {
		r.Actor = s.stringValue()
	}
	if s.member("reaction") {
		r.Reaction = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) contact(c *Contact) {
	s.openObject()
	if s.member("name") {
		c.Name = s.stringValue()
	}
	if s.member("phone") {
		c.Phone = s.stringValue()
	}
	if s.member("user_id") {
		c.UserID = s.stringValue()
	}
	if s.member("raw_params") {
		c.RawParams = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) call(c *Call) {
	s.openObject()
	if s.member("duration_seconds") {
		c.DurationSeconds = s.int64Value()
	}
	if s.member("raw_calltype") {
		c.RawCallType = s.int64Value()
	}
	s.closeObject()
}

func (s *recordScanner) location(l *Location) {
	s.openObject()
	if s.member("latitude") {
		l.Latitude = s.float64Value()
	}
	if s.member("longitude") {
		l.Longitude = s.float64Value()
	}
	if s.member("title") {
		l.Title = s.stringValue()
	}
	s.closeObject()
}

func (s *recordScanner) attachment(a *Attachment) {
	s.openObject()
	if s.member("kind") {
		a.Kind = s.stringValue()
	}
	if s.member("name") {
		a.Name = s.stringValue()
	}
	if s.member("display_name") {
		a.DisplayName = s.stringValue()
	}
	if s.member("mime") {
		a.MIME = s.stringValue()
	}
	if s.member("size") {
		size := s.int64Value()
		a.Size = &size
	}
	if s.member("sha256") {
		a.SHA256 = s.stringValue()
	}
	if s.member("object") {
		a.Object = s.stringValue()
	}
	if s.member("path") {
		a.Path = s.stringValue()
	}
	if s.member("uri") {
		a.URI = s.stringValue()
	}
	if s.member("alt_uris") {
		a.AltURIs = s.stringList()
	}
	if s.member("present") {
		present := s.boolValue()
		a.Present = &present
	}
	if s.member("absent_reason") {
		a.AbsentReason = s.stringValue()
	}
	if s.member("width") {
		a.Width = s.intValue()
	}
	if s.member("height") {
		a.Height = s.intValue()
	}
	if s.member("duration_ms") {
		a.DurationMS = s.int64Value()
	}
	if s.member("checksum_md5") {
		a.ChecksumMD5 = s.stringValue()
	}
	if s.member("ext") {
		a.Ext = s.stringValue()
	}
	if s.member("title") {
		a.Title = s.stringValue()
	}
	if s.member("description") {
		a.Description = s.stringValue()
	}
	if s.member("sticker_id") {
		a.StickerID = s.stringValue()
	}
	if s.member("category_id") {
		a.CategoryID = s.stringValue()
	}
	s.closeObject()
}
