package index

import (
	"reflect"
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
	attrsOptions = bleveindex.IndexField
)

// textField is the bleve field of a message's words: their folded terms,
// with positions and byte offsets, built straight from the analysis
// without the intermediate analysis.TokenStream that bleve's own text
// field needs.
//
// A location's array positions record where the word is and, for a word
// with marks, which exact form it has there. The first is the number of
// the text part (0 for the message's Text, see messageTextParts), and the
// second is the formCode of the exact term. A word of the Text without
// marks has none. Searches read the form codes to rank exact-diacritic matches
// first, so the exact forms need no terms of their own.
type textField struct {
	parts []string
	bytes int
	// firstPart is the number of parts[0] among the parts of the message:
	// 0 when parts[0] is the message's Text, 1 when the Text is empty.
	firstPart int

	length int
	freqs  bleveindex.TokenFrequencies
	size   int
}

func (f *textField) Name() string                             { return fieldText }
func (f *textField) ArrayPositions() []uint64                 { return nil }
func (f *textField) Options() bleveindex.FieldIndexingOptions { return textOptions }
func (f *textField) EncodedFieldType() byte                   { return 't' }
func (f *textField) AnalyzedLength() int                      { return f.length }
func (f *textField) NumPlainTextBytes() uint64                { return uint64(f.bytes) }

func (f *textField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

// Value returns nil: the field is not stored, and the caller keeps the
// message text in its own catalog.
func (f *textField) Value() []byte { return nil }

// Size returns the memory the field holds, as bleve's own fields count it,
// for scorch's statistics. It is computed in Analyze because
// TokenFrequencies.Size walks the whole map.
func (f *textField) Size() int { return fieldStructSize + len(fieldText) + f.size }

// Analyze builds the token frequencies. Each location records the word's
// position, its byte offsets in its part of the text and the array
// positions described at textField.
func (f *textField) Analyze() {
	var a analysis
	a.presize(f.bytes)
	partEnds := make([]int, len(f.parts))
	for i, part := range f.parts {
		analyze(&a, part)
		a.position += positionGap
		partEnds[i] = len(a.tokens)
	}

	// One string holds every map key, so keys cost no allocation each.
	keys := string(a.folded)
	n := len(a.tokens)
	freqs := make(bleveindex.TokenFrequencies, n)
	slots := make([]bleveindex.TokenFreq, n)
	locations := make([]bleveindex.TokenLocation, n)
	locationRefs := make([]*bleveindex.TokenLocation, n)
	// Two array positions at most per location, the part and the form.
	arrays := make([]uint64, 2*n)

	used, part := 0, 0
	for i := range a.tokens {
		t := &a.tokens[i]
		for i >= partEnds[part] {
			part++
		}
		key := keys[t.foldedStart:t.foldedEnd]
		tf := freqs[key]
		if tf == nil {
			tf = &slots[used]
			used++
			tf.Term = a.folded[t.foldedStart:t.foldedEnd:t.foldedEnd]
			// Capacity 1: a repeated term reallocates on append
			// instead of overwriting the next token's slot.
			tf.Locations = locationRefs[i : i : i+1]
			freqs[key] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1)
		loc := &locations[i]
		loc.Position = int(t.position)
		loc.Start = int(t.start)
		loc.End = int(t.end)
		number := uint64(part + f.firstPart)
		if form := a.exactTerm(t); form != nil {
			arrays[2*i], arrays[2*i+1] = number, formCode(form)
			loc.ArrayPositions = arrays[2*i : 2*i+2 : 2*i+2]
		} else if number > 0 {
			arrays[2*i] = number
			loc.ArrayPositions = arrays[2*i : 2*i+1 : 2*i+1]
		}
		tf.Locations = append(tf.Locations, loc)
	}
	f.length = n
	f.freqs = freqs
	f.size = size.SizeOfMap + used*(size.SizeOfString+size.SizeOfPtr+tokenFreqSize) + 2*len(keys) + n*tokenLocationSize
}

// attrsField is the bleve field that holds the attributes of a message
// that are searched but not counted or sorted by, each as one untokenised
// term with the attribute's prefix: "source:zalo", "name:nguyen",
// "has:link" and so on (see the attr constants). One field with a dozen
// terms costs bleve less than a field per attribute: with BenchmarkIndex,
// Add took 5 to 12% less CPU in three runs when six keyword fields became
// one.
type attrsField struct {
	source, direction    string
	senderID, senderName string
	sentAt               uint32
	hasSentAt            bool
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
	n := len(f.source) + len(f.direction) + len(f.senderID) + len(f.senderName)
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
	doc.SetID(docID(m))

	text := &textField{parts: messageTextParts(m)}
	if m.Text == "" {
		text.firstPart = 1
	}
	for _, part := range text.parts {
		text.bytes += len(part)
	}
	if text.bytes > 0 {
		doc.AddField(text)
	}

	attrs := &attrsField{
		source:     lowerASCII(m.Source),
		direction:  string(m.Direction),
		senderID:   m.Sender.ID,
		senderName: m.Sender.Name,
		recipients: recipients(m),
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
	// NOTE: a message sent before 1970 or after 2447 gets no send-time
	// trie terms. A time range reaches one before 1970 through its
	// document ID (see docID).
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
