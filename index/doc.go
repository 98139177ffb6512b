// Package index is the full-text index of one tenant's messages, built on
// Bleve (github.com/blevesearch/bleve/v2, scorch index). A document's ID is
// the message ID. The index stores no message content: a search returns IDs
// and scores, and the caller reads the messages from its catalog. The index
// can always be rebuilt from the archive.
//
// # Analysis
//
// Text is split into words: runs of Unicode letters and decimal digits, with
// the combining marks that follow them. Everything else, emoji and
// punctuation included, separates words, and no stop words are dropped.
// Each word gets two forms, computed in one pass over the text:
//
//   - the folded form (Fold): lowercase, every combining mark removed, đ
//     written as d. "khiếu nại", "KHIEU NAI" and decomposed (NFD) "khiếu
//     nại" all fold to "khieu nai".
//   - the exact form (Exact): lowercase, with quality marks (â ă ê ô ơ ư)
//     and đ kept. The tone mark moves to the end as a VNI digit after "~",
//     so its placement does not matter: "hoà" and "hòa" are both "hoa~2".
//     Different tones differ: "thẻ" is "the~3" and "thế" is "thê~1".
//
// NFC and NFD input give the same forms. A fuzz test checks this on
// arbitrary input.
//
// # Fields
//
// Add builds each bleve document directly from custom fields rather than
// through the reflection of a mapping, and nothing is stored, no field has
// doc values and there is no _all field. The fields are:
//
//   - text: folded forms, with positions for phrase queries.
//   - exact: the set of exact forms of the words that have marks or đ
//     (a word without them adds nothing), without positions. Each form
//     counts once and the field's length is 1, so a match adds the same
//     idf-weighted amount to every message that has the form.
//   - attrs: every other attribute as one untokenised term with a prefix:
//     account, conversation, kind, source, direction, sender id, the folded
//     words of the sender's name, and the send time as quarter-hour trie
//     terms (see sentAtTerms). The entities found in the text and
//     IndexText are attrs terms too (see addEntityTerms). These are
//     Vietnamese phone numbers in E.164 (scanPhones) and amounts of money
//     in VND (scanMoney). Amounts are fixed-width numbers, so a term range
//     query selects a range of them. Luhn-valid card numbers (scanCards),
//     bank account numbers after "stk" or "số tài khoản"
//     (scanBankAccounts), email addresses (scanEmails) and links with their
//     hosts (scanURLs) complete the list.
//
// The mapping stored with the index declares the same fields and
// analyzers, for queries built with bleve's own types.
//
// # Ranking
//
// A query word matches the folded form and is the disjunction of its folded
// term and, when it has marks, its exact form boosted by exactBoost. Every
// message with the exact form also has the folded term, so the disjunction
// matches the same messages, and bleve's coordination factor gives a
// message with only the folded term half its score, one with both the sum:
// for the query thẻ, messages with "thẻ" rank above those with only "thế".
// A phrase must match on the folded text, and a disjunction of its words'
// folded and exact terms adds the same preference.
//
// # Chat shorthand
//
// Chat abbreviations such as "ko" (không) and "sdt" (số điện thoại) are
// expanded at query time, never in the index: a bare query word that is an
// abbreviation in Shorthand also matches its expansion. Phrases, field
// values and words written as =word are not expanded, and
// SearchOptions.NoShorthand turns expansion off.
//
// # Speed
//
// BenchmarkIndex runs Add side by side with a raw Bleve index of the text
// alone (one text field, folded analyzer, default field options, added with
// batch.Index through a mapping). Add writes more fields but stores nothing
// and skips _all and doc values. In six runs on a 2-core virtual machine
// shared with other jobs, Add needed 1/1.14 to 1/1.30 of the baseline's CPU
// time per message, and its wall-time rate was 1.06 to 2.8 times the
// baseline's. Command: go test ./index -run='^$' -bench=Index -benchtime=1x.
package index
