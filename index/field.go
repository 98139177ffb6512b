package index

import (
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/size"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"chatseal/chat"
)

// positionGap separates the positions of two parts of a message's text (the
// text, the link preview, each attachment name), so that a phrase never
// matches across the end of one part and the start of the next.
const positionGap = 10

// Indexing options of the fields. No field is stored and none has doc
// values; only the folded text records positions, for phrase queries.
const (
	textOptions    = bleveindex.IndexField | bleveindex.IncludeTermVectors
	termsOptions   = bleveindex.IndexField
	keywordOptions = bleveindex.IndexField
)

// sharedText is the text of one message, analysed once for both the folded
// and the exact field. Scorch analyses all fields of a document on one
// goroutine, but the sync.Once keeps this correct even if it did not.
type sharedText struct {
	parts []string
	bytes int

	once sync.Once
	a    analysis
}

func (s *sharedText) analyze() *analysis {
	s.once.Do(func() {
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

func (f *textField) Size() int {
	n := 64 + len(f.name)
	if f.freqs != nil {
		n += f.freqs.Size()
	}
	return n
}

// Analyze builds the token frequencies. Locations record positions only;
// their byte offsets are zero because a message's text has several parts
// and the index does not store them.
func (f *textField) Analyze() {
	a := f.text.analyze()
	withLocations := f.options.IncludeTermVectors()

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
		}
		tf.SetFrequency(tf.Frequency() + 1)
		if withLocations {
			locations[i].Position = t.position
			tf.Locations = append(tf.Locations, &locations[i])
		}
	}
	f.length = length
	f.freqs = freqs
}

// keywordField is a bleve field indexed as one untokenised term.
type keywordField struct {
	name  string
	value []byte
	freqs bleveindex.TokenFrequencies
}

func newKeywordField(name, value string) *keywordField {
	return &keywordField{name: name, value: []byte(value)}
}

func (f *keywordField) Name() string                             { return f.name }
func (f *keywordField) ArrayPositions() []uint64                 { return nil }
func (f *keywordField) Options() bleveindex.FieldIndexingOptions { return keywordOptions }
func (f *keywordField) EncodedFieldType() byte                   { return 't' }
func (f *keywordField) AnalyzedLength() int                      { return 1 }
func (f *keywordField) NumPlainTextBytes() uint64                { return uint64(len(f.value)) }
func (f *keywordField) Value() []byte                            { return f.value }

func (f *keywordField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

func (f *keywordField) Size() int {
	return 64 + len(f.name) + 2*len(f.value) + size.SizeOfMap
}

func (f *keywordField) Analyze() {
	tf := &bleveindex.TokenFreq{Term: f.value}
	tf.SetFrequency(1)
	f.freqs = bleveindex.TokenFrequencies{string(f.value): tf}
}

// messageDocument builds the bleve document of m, field by field, without
// the reflection of a mapping. The fields must agree with newMapping.
func messageDocument(m *chat.Message) *document.Document {
	doc := &document.Document{Fields: make([]document.Field, 0, 10)}
	doc.SetID(m.ID)

	text := &sharedText{parts: messageTextParts(m)}
	for _, part := range text.parts {
		text.bytes += len(part)
	}
	if text.bytes > 0 {
		doc.AddField(&textField{name: fieldText, options: textOptions, kind: foldedTerms, text: text})
		doc.AddField(&textField{name: fieldExact, options: termsOptions, kind: exactTerms, text: text})
	}

	if m.Sender.ID != "" {
		doc.AddField(newKeywordField(fieldSenderID, m.Sender.ID))
	}
	if m.Sender.Name != "" {
		name := &sharedText{parts: []string{m.Sender.Name}, bytes: len(m.Sender.Name)}
		doc.AddField(&textField{name: fieldSenderName, options: termsOptions, kind: foldedTerms, text: name})
	}
	addKeyword(doc, fieldAccount, m.Account)
	addKeyword(doc, fieldConversation, m.Conversation)
	addKeyword(doc, fieldKind, lowerASCII(string(m.Kind)))
	addKeyword(doc, fieldSource, lowerASCII(m.Source))
	addKeyword(doc, fieldDirection, string(m.Direction))

	// NOTE: a message sent before 1970 or after 2447 gets no sent_at
	// field, so no after: or before: query matches it.
	if v, ok := sentAtValue(m.SentAt); ok {
		doc.AddField(&sentAtField{value: v})
	}
	doc.SetIndexed()
	return doc
}

func addKeyword(doc *document.Document, name, value string) {
	if value != "" {
		doc.AddField(newKeywordField(name, value))
	}
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
