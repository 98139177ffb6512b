package index

import (
	"reflect"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/size"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"chatseal/chat"
)

// Sizes of bleve's analysis structures, for Size methods.
var (
	fieldStructSize   = int(reflect.TypeFor[textField]().Size())
	tokenFreqSize     = int(reflect.TypeFor[bleveindex.TokenFreq]().Size())
	tokenLocationSize = int(reflect.TypeFor[bleveindex.TokenLocation]().Size()) + size.SizeOfPtr
)

// positionGap separates the positions of two parts of a message's text (the
// text, the link preview, each attachment name), so that a phrase never
// matches across the end of one part and the start of the next.
const positionGap = 10

// Indexing options of the fields. No field is stored and none has doc
// values; only the folded text records positions, for phrase queries.
const (
	textOptions  = bleveindex.IndexField | bleveindex.IncludeTermVectors
	exactOptions = bleveindex.IndexField
	attrsOptions = bleveindex.IndexField
)

// sharedText is the text of one message, analysed once for the folded and
// the exact field. Scorch (bleve v2.6.3) analyses all fields of a
// document on one goroutine, and the sync.Once keeps this correct if a later
// version does not.
type sharedText struct {
	parts []string
	bytes int
	// firstPart is the number of parts[0] among the parts of the message:
	// 0 when parts[0] is the message's Text, 1 when the Text is empty.
	firstPart int

	once sync.Once
	a    analysis
	// partEnds holds, for each part, the index in a.tokens after its last
	// token.
	partEnds []int
}

func (s *sharedText) analyze() *analysis {
	s.once.Do(func() {
		s.a.presize(s.bytes)
		s.partEnds = make([]int, len(s.parts))
		for i, part := range s.parts {
			analyze(&s.a, part)
			s.a.position += positionGap
			s.partEnds[i] = len(s.a.tokens)
		}
	})
	return &s.a
}

// termKind selects which term of a token a textField indexes.
type termKind uint8

const (
	foldedTerms termKind = iota
	exactTerms
)

// textField is a bleve field whose terms come from a sharedText. It builds
// the token frequencies straight from the analysis, without the
// intermediate analysis.TokenStream that bleve's own text field needs.
type textField struct {
	name    string
	options bleveindex.FieldIndexingOptions
	kind    termKind
	text    *sharedText

	length int
	freqs  bleveindex.TokenFrequencies
	size   int
}

func (f *textField) Name() string                             { return f.name }
func (f *textField) ArrayPositions() []uint64                 { return nil }
func (f *textField) Options() bleveindex.FieldIndexingOptions { return f.options }
func (f *textField) EncodedFieldType() byte                   { return 't' }
func (f *textField) AnalyzedLength() int                      { return f.length }
func (f *textField) NumPlainTextBytes() uint64                { return uint64(f.text.bytes) }

func (f *textField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

// Value returns nil: the field is not stored, and the caller keeps the
// message text in its own catalog.
func (f *textField) Value() []byte { return nil }

// Size returns the memory the field holds, as bleve's own fields count it,
// for scorch's statistics. It is computed in Analyze because
// TokenFrequencies.Size walks the whole map.
func (f *textField) Size() int { return fieldStructSize + len(f.name) + f.size }

// Analyze builds the token frequencies. A location records the word's
// position and its byte offsets in its part of the text. A word of the
// message's Text has no array positions. A word of another part (IndexText,
// an attachment's name or title) has one, the part's number from 1, so
// that Hit.Spans can keep the words of the Text alone.
//
// The exact field is recorded as a set: each exact form has frequency 1 and
// the field has length 1. A query word's exact term then scores the same in
// every message that has the form, whatever its repetitions and the length
// of the message.
func (f *textField) Analyze() {
	a := f.text.analyze()
	withLocations := f.options.IncludeTermVectors()
	asSet := f.kind == exactTerms

	buf := a.folded
	if f.kind == exactTerms {
		buf = a.exact
	}
	// One string holds every map key, so keys cost no allocation each.
	keys := string(buf)

	// n bounds the distinct terms: every token of the folded field, and
	// only the tokens with an exact form of the exact field.
	n := len(a.tokens)
	if asSet {
		n = 0
		for i := range a.tokens {
			if a.tokens[i].exactStart != a.tokens[i].exactEnd {
				n++
			}
		}
	}
	freqs := make(bleveindex.TokenFrequencies, n)
	slots := make([]bleveindex.TokenFreq, n)
	var locations []bleveindex.TokenLocation
	var locationRefs []*bleveindex.TokenLocation
	var partNumbers []uint64
	if withLocations {
		locations = make([]bleveindex.TokenLocation, n)
		locationRefs = make([]*bleveindex.TokenLocation, n)
		partNumbers = make([]uint64, len(f.text.parts)+1)
		for i := range partNumbers {
			partNumbers[i] = uint64(i)
		}
	}

	used, length, part := 0, 0, 0
	for i := range a.tokens {
		t := &a.tokens[i]
		for withLocations && i >= f.text.partEnds[part] {
			part++
		}
		start, end := t.foldedStart, t.foldedEnd
		if f.kind == exactTerms {
			start, end = t.exactStart, t.exactEnd
			if start == end {
				continue
			}
		}
		length++

		key := keys[start:end]
		tf := freqs[key]
		if tf == nil {
			tf = &slots[used]
			used++
			tf.Term = buf[start:end:end]
			if withLocations {
				// Capacity 1: a repeated term reallocates on append
				// instead of overwriting the next token's slot.
				tf.Locations = locationRefs[i : i : i+1]
			}
			freqs[key] = tf
		} else if asSet {
			continue
		}
		tf.SetFrequency(tf.Frequency() + 1)
		if withLocations {
			loc := &locations[i]
			loc.Position = int(t.position)
			loc.Start = int(t.start)
			loc.End = int(t.end)
			if number := part + f.text.firstPart; number > 0 {
				loc.ArrayPositions = partNumbers[number : number+1 : number+1]
			}
			tf.Locations = append(tf.Locations, loc)
		}
	}
	if asSet {
		length = min(length, 1)
	}
	f.length = length
	f.freqs = freqs
	f.size = size.SizeOfMap + used*(size.SizeOfString+size.SizeOfPtr+tokenFreqSize) + 2*len(keys)
	if withLocations {
		f.size += length * tokenLocationSize
	}
}

// attrsField is the bleve field that holds the attributes of a message
// that are searched but not counted or sorted by, each as one untokenised
// term with the attribute's prefix: "source:zalo", "name:nguyen",
// "has:link" and so on (see the attr constants). One field with a dozen
// terms costs bleve less than a field per attribute: with BenchmarkIndex,
// Add took 5 to 12% less CPU in three runs when six keyword fields became
// one.
type attrsField struct {
	conversation, source, direction string
	senderID, senderName            string
	sentAt                          uint32
	hasSentAt                       bool
	// recipients are the ids that to: matches, see recipients.
	recipients []string
	// tags are the reviewer tags, normalised by NormalizeTag.
	tags []string
	// has holds the has: terms known before the entities are scanned.
	has hasSet
	// entityTexts are the texts searched for phone numbers, amounts and
	// the other entities of addEntityTerms.
	entityTexts []string

	length int
	freqs  bleveindex.TokenFrequencies
	size   int
}

func (f *attrsField) Name() string                             { return fieldAttrs }
func (f *attrsField) ArrayPositions() []uint64                 { return nil }
func (f *attrsField) Options() bleveindex.FieldIndexingOptions { return attrsOptions }
func (f *attrsField) EncodedFieldType() byte                   { return 't' }
func (f *attrsField) AnalyzedLength() int                      { return f.length }
func (f *attrsField) Value() []byte                            { return nil }
func (f *attrsField) Size() int                                { return fieldStructSize + f.size }

func (f *attrsField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

func (f *attrsField) NumPlainTextBytes() uint64 {
	n := len(f.conversation) + len(f.source) + len(f.direction) + len(f.senderID) + len(f.senderName)
	if f.hasSentAt {
		n += 8
	}
	for _, r := range f.recipients {
		n += len(r)
	}
	for _, tag := range f.tags {
		n += len(tag)
	}
	return uint64(n)
}

// Analyze builds the terms back to back in one buffer, then the token
// frequencies over it.
func (f *attrsField) Analyze() {
	t := newAttrTerms(24, 160+2*len(f.senderName))
	t.has = f.has
	t.add(attrConversation, f.conversation)
	t.add(attrSource, f.source)
	t.add(attrDirection, f.direction)
	t.add(attrSender, f.senderID)
	if f.senderName != "" {
		var a analysis
		a.presize(len(f.senderName))
		analyze(&a, f.senderName)
		for i := range a.tokens {
			t.addBytes(attrName, a.foldedTerm(&a.tokens[i]))
		}
	}
	for _, id := range f.recipients {
		t.add(attrTo, id)
	}
	for _, tag := range f.tags {
		t.add(attrTag, tag)
	}
	for _, text := range f.entityTexts {
		t.addEntityTerms(text)
	}
	t.addHasTerms()
	if f.hasSentAt {
		for level := sentAtFirstLevel; level < sentAtLevels; level++ {
			t.buf = appendSentAtTerm(t.buf, level, f.sentAt>>(level*sentAtLevelBits))
			t.ends = append(t.ends, len(t.buf))
		}
	}
	f.freqs, f.length, f.size = t.frequencies()
}

// attrTerms collects the terms of an attrsField or a facetsField.
type attrTerms struct {
	buf  []byte
	ends []int // end offset in buf of each term
	// has collects the has: terms that addEntityTerms finds.
	has hasSet
}

// newAttrTerms returns an empty attrTerms with room for about n terms of
// size bytes in all.
func newAttrTerms(n, size int) attrTerms {
	return attrTerms{buf: make([]byte, 0, size), ends: make([]int, 0, n)}
}

func (t *attrTerms) add(prefix, value string) {
	if value == "" {
		return
	}
	t.buf = append(t.buf, prefix...)
	t.buf = append(t.buf, value...)
	t.ends = append(t.ends, len(t.buf))
}

func (t *attrTerms) addBytes(prefix string, value []byte) {
	t.buf = append(t.buf, prefix...)
	t.buf = append(t.buf, value...)
	t.ends = append(t.ends, len(t.buf))
}

// frequencies returns the token frequencies of the terms, each with
// frequency 1, the field length and the memory they hold, as bleve's own
// fields count it.
func (t *attrTerms) frequencies() (bleveindex.TokenFrequencies, int, int) {
	keys := string(t.buf)
	slots := make([]bleveindex.TokenFreq, len(t.ends))
	freqs := make(bleveindex.TokenFrequencies, len(t.ends))
	start := 0
	for i, end := range t.ends {
		key := keys[start:end]
		if freqs[key] == nil {
			slots[i].Term = t.buf[start:end:end]
			slots[i].SetFrequency(1)
			freqs[key] = &slots[i]
		}
		start = end
	}
	memory := size.SizeOfMap + len(t.ends)*(size.SizeOfString+size.SizeOfPtr+tokenFreqSize) + 2*len(keys)
	return freqs, len(freqs), memory
}

// messageDocument builds the bleve document of m with its reviewer tags,
// field by field, without the reflection of a mapping. The month of the
// facets field is taken in loc. The fields must agree with newMapping.
func messageDocument(m *chat.Message, tags []string, loc *time.Location) *document.Document {
	doc := &document.Document{Fields: make([]document.Field, 0, 5)}
	doc.SetID(m.ID)

	text := &sharedText{parts: messageTextParts(m)}
	if m.Text == "" {
		text.firstPart = 1
	}
	for _, part := range text.parts {
		text.bytes += len(part)
	}
	if text.bytes > 0 {
		doc.AddField(&textField{name: fieldText, options: textOptions, kind: foldedTerms, text: text})
		doc.AddField(&textField{name: fieldExact, options: exactOptions, kind: exactTerms, text: text})
	}

	attrs := &attrsField{
		conversation: m.Conversation,
		source:       lowerASCII(m.Source),
		direction:    string(m.Direction),
		senderID:     m.Sender.ID,
		senderName:   m.Sender.Name,
		recipients:   recipients(m),
	}
	for _, tag := range tags {
		if tag = NormalizeTag(tag); tag != "" {
			attrs.tags = append(attrs.tags, tag)
		}
	}
	if len(m.Attachments) > 0 {
		attrs.has |= hasAttachment
	}
	if m.Kind == chat.KindLink {
		attrs.has |= hasLink
	}
	if m.Text != "" {
		attrs.entityTexts = append(attrs.entityTexts, m.Text)
	}
	if m.IndexText != "" {
		attrs.entityTexts = append(attrs.entityTexts, m.IndexText)
	}
	// NOTE: a message sent before 1970 or after 2447 gets no quarter-hour
	// terms; a time range reaches one before 1970 through its time term.
	attrs.sentAt, attrs.hasSentAt = sentAtValue(m.SentAt)
	doc.AddField(attrs)

	doc.AddField(newFacetsField(m, loc))

	doc.SetIndexed()
	return doc
}

// recipients returns the ids that to: matches for m. An inbound message
// went to the archived account, so its recipient is m.Account. An outbound
// message went to its conversation: in a direct conversation the id is the
// peer's, in a group or channel the group's. The ids of m.Members, the
// people a system message names, count as recipients of an outbound
// message too.
func recipients(m *chat.Message) []string {
	switch m.Direction {
	case chat.Inbound:
		if m.Account == "" {
			return nil
		}
		return []string{m.Account}
	case chat.Outbound:
		ids := make([]string, 0, 1+len(m.Members))
		if m.Conversation != "" {
			ids = append(ids, m.Conversation)
		}
		for _, member := range m.Members {
			if member.ID != "" {
				ids = append(ids, member.ID)
			}
		}
		return ids
	}
	return nil
}

// messageTextParts returns the searchable texts of m: the message text, the
// extra text the importer extracted (link titles and descriptions), and the
// names and titles of attachments.
func messageTextParts(m *chat.Message) []string {
	parts := make([]string, 0, 2+2*len(m.Attachments))
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if m.IndexText != "" {
		parts = append(parts, m.IndexText)
	}
	for i := range m.Attachments {
		if name := m.Attachments[i].Name; name != "" {
			parts = append(parts, name)
		}
		if title := m.Attachments[i].Title; title != "" {
			parts = append(parts, title)
		}
	}
	return parts
}

// lowerASCII lowercases the ASCII letters of s, allocating only when s has
// an uppercase letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
