package index

import (
	"reflect"
	"sync"

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

// sharedText is the text of one message, analysed once for both the folded
// and the exact field. Scorch (bleve v2.6.3) analyses all fields of a
// document on one goroutine, and the sync.Once keeps this correct if a later
// version does not.
type sharedText struct {
	parts []string
	bytes int

	once sync.Once
	a    analysis
}

func (s *sharedText) analyze() *analysis {
	s.once.Do(func() {
		s.a.presize(s.bytes)
		for _, part := range s.parts {
			analyze(&s.a, part)
			s.a.position += positionGap
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

// Analyze builds the token frequencies. Locations record positions only;
// their byte offsets are zero because a message's text has several parts
// and the index does not store them.
//
// The exact field is recorded as a set: each exact form has frequency 1 and
// the field has length 1. A query word's exact term then scores the same in
// every message that has the form, whatever its repetitions and the length
// of the message.
func (f *textField) Analyze() {
	a := f.text.analyze()
	withLocations := f.options.IncludeTermVectors()
	asSet := f.kind == exactTerms

	var buf []byte
	if f.kind == foldedTerms {
		buf = a.folded
	} else {
		buf = a.exact
	}
	// One string holds every map key, so keys cost no allocation each.
	keys := string(buf)

	n := len(a.tokens)
	freqs := make(bleveindex.TokenFrequencies, n)
	slots := make([]bleveindex.TokenFreq, n)
	var locations []bleveindex.TokenLocation
	var locationRefs []*bleveindex.TokenLocation
	if withLocations {
		locations = make([]bleveindex.TokenLocation, n)
		locationRefs = make([]*bleveindex.TokenLocation, n)
	}

	used, length := 0, 0
	for i := range a.tokens {
		t := &a.tokens[i]
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
			locations[i].Position = int(t.position)
			tf.Locations = append(tf.Locations, &locations[i])
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

// attrsField is the bleve field that holds every attribute of a message
// other than its text, each as one untokenised term with the attribute's
// prefix: "account:cskh-hn-01", "kind:text", "name:nguyen" and so on (see
// the attr constants). One field with a dozen terms costs bleve less than a
// field per attribute: with BenchmarkIndex, Add took 5 to 12% less CPU in
// three runs when six keyword fields became one.
type attrsField struct {
	account, conversation, kind, source, direction string
	senderID, senderName                           string
	sentAt                                         uint32
	hasSentAt                                      bool
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
	n := len(f.account) + len(f.conversation) + len(f.kind) + len(f.source) + len(f.direction) + len(f.senderID) + len(f.senderName)
	if f.hasSentAt {
		n += 8
	}
	return uint64(n)
}

// Analyze builds the terms back to back in one buffer, then the token
// frequencies over it.
func (f *attrsField) Analyze() {
	var t attrTerms
	t.ends = make([]int, 0, 16)
	t.buf = make([]byte, 0, 128+2*len(f.senderName))
	t.add(attrAccount, f.account)
	t.add(attrConversation, f.conversation)
	t.add(attrKind, f.kind)
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
	for _, text := range f.entityTexts {
		t.addEntityTerms(text)
	}
	if f.hasSentAt {
		for level := 0; level < sentAtLevels; level++ {
			t.buf = appendSentAtTerm(t.buf, level, f.sentAt>>(level*sentAtLevelBits))
			t.ends = append(t.ends, len(t.buf))
		}
	}

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
	f.length = len(freqs)
	f.freqs = freqs
	f.size = size.SizeOfMap + len(t.ends)*(size.SizeOfString+size.SizeOfPtr+tokenFreqSize) + 2*len(keys)
}

// attrTerms collects the terms of an attrsField.
type attrTerms struct {
	buf  []byte
	ends []int // end offset in buf of each term
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

// messageDocument builds the bleve document of m, field by field, without
// the reflection of a mapping. The fields must agree with newMapping.
func messageDocument(m *chat.Message) *document.Document {
	doc := &document.Document{Fields: make([]document.Field, 0, 3)}
	doc.SetID(m.ID)

	text := &sharedText{parts: messageTextParts(m)}
	for _, part := range text.parts {
		text.bytes += len(part)
	}
	if text.bytes > 0 {
		doc.AddField(&textField{name: fieldText, options: textOptions, kind: foldedTerms, text: text})
		doc.AddField(&textField{name: fieldExact, options: exactOptions, kind: exactTerms, text: text})
	}

	attrs := &attrsField{
		account:      m.Account,
		conversation: m.Conversation,
		kind:         lowerASCII(string(m.Kind)),
		source:       lowerASCII(m.Source),
		direction:    string(m.Direction),
		senderID:     m.Sender.ID,
		senderName:   m.Sender.Name,
	}
	if m.Text != "" {
		attrs.entityTexts = append(attrs.entityTexts, m.Text)
	}
	if m.IndexText != "" {
		attrs.entityTexts = append(attrs.entityTexts, m.IndexText)
	}
	// NOTE: a message sent before 1970 or after 2447 gets no send time
	// terms, so no after: or before: query matches it.
	attrs.sentAt, attrs.hasSentAt = sentAtValue(m.SentAt)
	doc.AddField(attrs)

	doc.SetIndexed()
	return doc
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
