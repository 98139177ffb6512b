package index

import (
	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Field names of a message document.
const (
	fieldText  = "text"  // folded words of the text, with positions and exact form codes
	fieldAttrs = "attrs" // other attributes, as prefixed terms
	// fieldFacets holds the attributes that results are counted by, as
	// prefixed terms with doc values.
	fieldFacets = "facets"
	// fieldID is Bleve's own field of document IDs, which start with the
	// send time (see docID).
	fieldID = "_id"
)

// Prefixes of the terms of the facets field.
const (
	facetAccount = "account:" // archived messaging account, as given
	facetKind    = "kind:"    // message kind, ASCII-lowercased
	facetMonth   = "month:"   // month of the send time, YYYY-MM in Config.Location
	// facetConversation is followed by the conversation id, a NUL byte
	// and the account, because a conversation id is unique only within
	// its account. The query conversation:ID matches the prefix up to the
	// NUL byte, in every account.
	facetConversation = "conversation:"
)

// Prefixes of the terms of the attrs field. A prefix ends at its first
// colon, so a value may hold colons.
const (
	attrSource    = "source:"    // chat platform, ASCII-lowercased
	attrDirection = "direction:" // in or out
	attrSender    = "sender:"    // sender id, as given
	attrName      = "name:"      // one folded word of the sender's name
	attrSentAt    = "sent:"      // binary send-time trie term, see sentAtTerms
	attrPhone     = "phone:"     // phone number in the text, see normalizePhone
	attrMoney     = "money:"     // amount in VND, zero-padded to moneyTermDigits
	attrCard      = "card:"      // payment card number, digits only
	attrBank      = "bank:"      // bank account number, digits only
	attrEmail     = "email:"     // email address, lowercased
	attrURL       = "url:"       // link, see normalizeURL
	attrURLHost   = "urlhost:"   // host of a link, lowercased
	attrTo        = "to:"        // recipient id, see recipients
	attrHas       = "has:"       // a part the message has, see hasNames
	attrTag       = "tag:"       // reviewer tag, see NormalizeTag
)

// Names under which the analyzers are registered with bleve. An index on
// disk refers to them by name, so they must not change. Schema version 5
// had a pairs field, and versions up to 7 an exact field, each with its
// own analyzer. Bleve rejects a stored mapping that names an analyzer it
// does not know, so those names stay registered, to an analyzer of no
// tokens, for a shard of an old version to open and report its version.
const (
	foldedAnalyzerName = "chatseal_folded"
	exactAnalyzerName  = "chatseal_exact"
	pairsAnalyzerName  = "chatseal_pairs"
)

func init() {
	if err := registry.RegisterAnalyzer(foldedAnalyzerName, func(map[string]interface{}, *registry.Cache) (bleveanalysis.Analyzer, error) {
		return foldedAnalyzer{}, nil
	}); err != nil {
		panic("index: internal error: " + err.Error())
	}
	if err := registry.RegisterAnalyzer(exactAnalyzerName, func(map[string]interface{}, *registry.Cache) (bleveanalysis.Analyzer, error) {
		return retiredAnalyzer{}, nil
	}); err != nil {
		panic("index: internal error: " + err.Error())
	}
	if err := registry.RegisterAnalyzer(pairsAnalyzerName, func(map[string]interface{}, *registry.Cache) (bleveanalysis.Analyzer, error) {
		return retiredAnalyzer{}, nil
	}); err != nil {
		panic("index: internal error: " + err.Error())
	}
}

// foldedAnalyzer is the bleve form of the folded analysis: one token per
// word, the folded term, byte offsets and positions.
type foldedAnalyzer struct{}

func (foldedAnalyzer) Analyze(input []byte) bleveanalysis.TokenStream {
	var a analysis
	analyze(&a, input)
	stream := make(bleveanalysis.TokenStream, len(a.tokens))
	tokens := make([]bleveanalysis.Token, len(a.tokens))
	for i := range a.tokens {
		t := &a.tokens[i]
		tokens[i] = bleveanalysis.Token{
			Term:     a.foldedTerm(t),
			Start:    int(t.start),
			End:      int(t.end),
			Position: int(t.position),
			Type:     bleveanalysis.AlphaNumeric,
		}
		stream[i] = &tokens[i]
	}
	return stream
}

// retiredAnalyzer is registered under the name of an analyzer that no
// field uses any more, see exactAnalyzerName. It emits no tokens.
type retiredAnalyzer struct{}

func (retiredAnalyzer) Analyze([]byte) bleveanalysis.TokenStream { return nil }

// searchMapping is the mapping that Search hands to the searchers it
// builds itself (see exactSearch), the same as every shard's.
var searchMapping mapping.IndexMapping = newMapping()

// newMapping returns the index mapping of message documents. Add builds
// documents directly and does not use it. The mapping is stored in the
// index metadata, so that bleve's own queries (a match query on "text", for
// example) analyse their input as the index did.
func newMapping() *mapping.IndexMappingImpl {
	m := mapping.NewIndexMapping()
	m.DefaultAnalyzer = foldedAnalyzerName
	m.DefaultField = fieldText
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	doc := mapping.NewDocumentStaticMapping()
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())

	doc.AddFieldMappingsAt(fieldText, textFieldMapping(foldedAnalyzerName, true))
	// A term query on attrs needs the prefix, as in "source:zalo".
	doc.AddFieldMappingsAt(fieldAttrs, textFieldMapping(keyword.Name, false))
	facets := textFieldMapping(keyword.Name, false)
	facets.DocValues = true
	doc.AddFieldMappingsAt(fieldFacets, facets)

	m.DefaultMapping = doc
	return m
}

func textFieldMapping(analyzer string, positions bool) *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = positions
	f.DocValues = false
	return f
}
