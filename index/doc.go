// Package index is the full-text index of one tenant's messages, built on
// Bleve (github.com/blevesearch/bleve/v2, scorch index). A document's ID is
// the message ID. The index stores no message content: a search returns IDs,
// scores and, on request, the byte spans of the matched words, and the
// caller reads the messages from its catalog. The index can always be
// rebuilt from the archive.
//
// # Layout
//
// Config.Path is a folder of shards, one Bleve index per calendar quarter
// of the send time in UTC, each in a folder named after its quarter:
//
//	2023-Q4/   messages sent from 2023-10-01 to 2024-01-01 UTC
//	2024-Q1/
//	2024-Q2/
//
// Add routes each message to the shard of its SentAt and creates the shard
// when it is missing. A message with a zero SentAt goes to 0001-Q1. Search
// opens a Bleve IndexAlias over the shards that the query's after:, before:
// and custodian: bounds can reach, so a query bounded in time reads only
// its quarters. Count sums the shards, and DropShardsBefore deletes the
// shards whose whole quarter ends at or before a time, which makes the
// disposal of old messages from the index one folder deletion per quarter.
// Every shard stores the schema version and the name of Config.Location;
// Open fails with ErrSchemaVersion when one differs, and when Config.Path
// holds an index of the layout before shards.
//
// NOTE: Bleve scores a hit with the term statistics of its own shard, so
// the scores of hits from different quarters are not exactly comparable.
// A hit with a word's exact form can then rank below a hit with only its
// folded form from another quarter.
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
// through the reflection of a mapping, and nothing is stored, only the
// facets field has doc values and there is no _all field. The fields are:
//
//   - text: folded forms, with positions for phrase queries and the byte
//     offsets of each word in its part of the message (Hit.Spans). Each
//     location of a word that has marks or đ also records a 21-bit code of
//     its exact form (formCode) as an array position, after the number of
//     the text part. Until schema version 7 the exact forms were the terms
//     of a field of their own; see Ranking for why they moved.
//   - attrs: other attributes as untokenised terms with a prefix. These
//     are the source, direction, sender id, the folded words
//     of the sender's name, the recipients (see recipients), the reviewer
//     tags and the has: terms. The send time is recorded as trie terms
//     of 16-hour blocks and coarser (see sentAtTerms). The entities found in the text and IndexText are attrs
//     terms too (see addEntityTerms). These are Vietnamese phone numbers
//     in E.164 (scanPhones) and amounts of money in VND (scanMoney).
//     Amounts are fixed-width numbers, so a term range query selects a
//     range of them. Luhn-valid card numbers (scanCards), bank account
//     numbers after "stk" or "số tài khoản" (scanBankAccounts), email
//     addresses (scanEmails) and links with their hosts (scanURLs)
//     complete the list.
//   - facets: the attributes that a search counts by, with doc values:
//     account, kind, the month of the send time in Config.Location, and
//     the conversation with its account. The query conversation:ID
//     matches the last as a prefix, in every account.
//
// A document's ID is its send time in microseconds, as fixed-width hex,
// then the message ID (docID), so the time sorts sort by document ID, and
// a time range reaches inside a 16-hour block through a range of IDs.
//
// The mapping stored with the index declares the same fields and
// analyzers, for queries built with bleve's own types.
//
// # Ranking
//
// A query word matches the folded form and scores as the disjunction of
// its folded term and, when it has marks, its exact form boosted by
// exactBoost would. Every message with the exact form also has the folded
// term, so the disjunction matches the same messages. Bleve's coordination
// factor gives a message with only the folded term half its score, and one
// with both the sum. So for the query thẻ, messages with "thẻ" rank above
// those with only "thế". wordQuery reads the folded term's posting
// list with its locations and finds the form's code among them, so one
// list serves both. The form adds the same amount to every message that
// has it, weighted by the folded term's idf. A phrase must match its
// folded words in order (see Phrases), and each exact form of its words
// that a match has adds its amount, as for a single word.
//
// Until schema version 7 the exact forms were a field of their own, a set
// of terms per message, which a search read as bitmaps. Vietnamese marks
// nearly every word, so that field had three terms for every four of the
// folded field, and Bleve's cost of indexing is mostly per term. On
// BenchmarkImport's corpus, moving the forms into the locations took the
// import from 0.78 to 0.86 of raw Bleve's rate (means of six alternating
// runs, BENCHMARKS.md). Decoding a
// common word's locations in every message that has it, though, made its
// search two to three times slower at one million messages. So a search by
// relevance first scores each message as if it had every exact form, an
// upper bound, and finds the exact score only of the hits that the bound
// does not rule out of the page (topHits). Of the 7,268 hits of hàng among
// the 20,000 messages of BenchmarkSearch, 188 were rescored when they were
// sent in one quarter and 1,005 when they spread over nine, since each
// shard keeps its own best hits. Two forms of one word share a code with a
// chance of about one in two million. Such forms rank alike, and matching
// is unaffected.
//
// # Phrases
//
// Most Vietnamese words have two syllables ("khiếu nại", "giao hàng"), so
// the everyday phrase has two words, often two common syllables. Bleve's
// phrase query reads the positions of both words in every message that has
// them both, inside the conjunction that finds those messages, and builds
// maps of them for each message. phraseQuery splits the two steps. A
// conjunction of term searchers without positions finds and scores the
// messages that have every word, and scorch intersects their posting
// bitmaps for it (OptimizeTFRConjunction in index/scorch/optimize.go). Then one term reader per word, with positions, is
// advanced to each of those messages to check the order. Only the
// positions of candidate messages are read, into reused buffers. The
// positionGap between two parts of a message keeps a phrase from joining
// them. TestSearch_PhraseMatchesBlevePhrase checks, on a seeded random
// corpus with IndexText, attachment names, NFD text and words split by
// hyphens and dots, that phraseQuery and buildText match the same messages
// as Bleve's phrase query, with the same locations.
//
// Schema version 5 kept a pairs field instead: each two adjacent folded
// words as one term, so that a two-word phrase was one term query. It made
// phrases faster still but cost more than the rest of the index together
// to write (see Speed), and version 6 removed it.
//
// # Results
//
// A page of hits is sorted by relevance, newest or oldest first (Sort),
// and every order ends with the message ID, so that it is total. Offset
// skips hits within MaxWindow. Result.Next is a cursor that starts the
// next page after the last hit (Bleve's SearchAfter for the time sorts,
// topHits for relevance), so that pages
// neither repeat nor skip a hit while the index does not change. With
// SearchOptions.Highlight, each hit lists the spans of its matched words
// in the message's Text, and Snippet cuts a window of the text around
// them. With SearchOptions.Facets, the result counts its hits by account,
// month, conversation and kind. SearchOptions.Scope restricts a search to
// some accounts inside the Bleve query itself, so totals and facets see
// only the messages in scope.
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
// Four things keep searches fast at one million messages and more.
// Compact merges each quarter that has ended into one segment, so a term
// is looked up once per quarter. A search skips the quarters whose
// dictionaries lack a term that every match needs (pruneShards). A search
// by relevance reads the ID of a hit only when the hit enters the page or
// ties with it (topHits). A word with marks is one searcher over the
// folded term that reads the exact form's code from the term's locations
// (wordQuery). BENCHMARKS.md at the root of the repository has the
// figures.
//
// BenchmarkIndex runs Add side by side with a raw Bleve index of the text
// alone (one text field, folded analyzer, default field options, added with
// batch.Index through a mapping). Add writes more fields but stores nothing
// and skips _all. Before the shards and the facets field, in six runs on a
// 2-core virtual machine shared with other jobs, Add needed 1/1.14 to
// 1/1.30 of the baseline's CPU time per message. The facets field made Add
// need about a quarter more CPU time. In one run with -count 3, cpu_ratio
// (the baseline's CPU time over Add's) fell from 1.02 to 1.10 before the
// change to 0.82 to 0.87 after. About half of the increase is the time
// term, which is unique to almost every message: in three runs of Add
// alone, leaving it out saved about 13% of the CPU time. Command: go test
// ./index -run='^$' -bench=Index -count=3.
//
// BenchmarkSearch searches 20,000 messages sent in one quarter ("1q") or
// over nine ("9q"), and reports the process CPU time per search. In the
// same run, compared with the single index before shards, searches on one
// quarter took 0.89 to 1.00 times the CPU time. On nine quarters, queries
// without a time bound took 1.6 to 2.0 times the CPU time, the cost of
// nine Bleve searches, and a query bounded to three months, which reads two
// shards, took 0.41 times. Command: go test ./index -run='^$'
// -bench=Search.
//
// The pairs field of schema version 5 made Add need about 1.9 times the
// CPU time per message in BenchmarkIndex, because nearly every pair is a
// new term of its segment and Bleve's work is mostly per distinct term. On
// one million messages of internal/searchbench (CHATSEAL_BENCH_N=1000000,
// seed 1, 200 queries per class) it took two-word phrases from p50 22.0
// ms and p99 174 ms with Bleve's phrase query to 5.05 and 24.9 ms, and to
// 2.0 and 16.5 ms with the sort and pruning work that followed. On the
// import corpus of package vault (BenchmarkImport), the index alone ran at
// 0.73 of raw Bleve's rate with the field and at 1.15 to 1.20 without it,
// measured side by side on 2026-12-05.
//
// phraseQuery replaced it in version 6. The same day, an ad-hoc
// comparison ran the same million messages' phrases on an index that
// still had pairs. Bleve's phrase query took p50 11.9 ms and p99 111 ms,
// phraseQuery 4.9 to 5.4 and 35 to 41 ms, with the same hit counts.
// After the field was gone, the whole benchmark gave p50 4.85 ms and p99
// 26.8 ms for two-word phrases and 4.47 and 28.4 ms without diacritics,
// where SQLite FTS5 took 20.9 and 142 ms, and 18.3 and 148 ms. The index
// on disk took about 300 MiB, against 507 MiB in an earlier run with the
// field, and loaded at about 12,700 messages per second instead of 7,910.
// A first version of phraseQuery sought each exact form
// in every match, and Bleve's term reader starts over from the first
// message when asked for one at or before its own: that run's p99 for
// marked phrases was 49.5 ms. Until version 8 the forms were then sought
// only when behind. Since version 8 the phrase check's own locations hold
// them.

package index
