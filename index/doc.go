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
//     offsets of each word in its part of the message (Hit.Spans).
//   - exact: the set of exact forms of the words that have marks or đ
//     (a word without them adds nothing), without positions. Each form
//     counts once and the field's length is 1, so a match adds the same
//     idf-weighted amount to every message that has the form.
//   - pairs: each two adjacent folded words as one term, joined by a space
//     ("khieu nai"), at the position of the first word. A location's byte
//     offsets run from the start of the first word to the end of the
//     second. The terms come from the tokens of the text field's analysis
//     (see Phrases).
//   - attrs: other attributes as untokenised terms with a prefix. These
//     are the conversation, source, direction, sender id, the folded words
//     of the sender's name, the recipients (see recipients), the reviewer
//     tags and the has: terms. The send time is recorded as quarter-hour
//     trie terms (see sentAtTerms). The entities found in the text and IndexText are attrs
//     terms too (see addEntityTerms). These are Vietnamese phone numbers
//     in E.164 (scanPhones) and amounts of money in VND (scanMoney).
//     Amounts are fixed-width numbers, so a term range query selects a
//     range of them. Luhn-valid card numbers (scanCards), bank account
//     numbers after "stk" or "số tài khoản" (scanBankAccounts), email
//     addresses (scanEmails) and links with their hosts (scanURLs)
//     complete the list.
//   - facets: the attributes that a search counts or sorts by, with doc
//     values: account, kind, the month of the send time in
//     Config.Location, the account and conversation, and the send time in
//     microseconds as one numeric term (see appendTimeTerm).
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
// A phrase must match its folded words in order (see Phrases), and a
// disjunction of its pair terms and its words' exact forms adds the same
// preference: every message that matches the phrase has its pair terms,
// and each exact form it has adds the form's idf-weighted amount.
//
// # Phrases
//
// Most Vietnamese words have two syllables ("khiếu nại", "giao hàng"), so
// the everyday phrase has two words. A phrase query over the text field
// reads the positions of every message that has all of its words, which
// for two common syllables is many messages. On the pairs field a phrase
// of two words is one term query, which reads no positions. A phrase of N
// words is a phrase query over its N-1 pair terms, whose posting lists
// are much shorter than those of single words. Pairs at consecutive
// positions are words at consecutive positions, and the positionGap
// between two parts of a message keeps pairs from joining them, so the
// pairs match exactly the messages that the phrase over the words
// matches. TestSearch_PairPhraseMatchesWordPhrase checks this on a seeded
// random corpus with IndexText, attachment names, NFD text and words
// split by hyphens and dots.
//
// A pair's location spans two words, so for Hit.Spans a phrase also runs
// the phrase query over the words on the text field, on the messages that
// the pairs match, and takes its locations. It adds nothing to the score,
// so highlighting does not change the ranking. It costs time, though: to
// reach the next match, Bleve steps through the posting lists of the
// words one message at a time (see Speed).
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
// folded term that checks the exact form's bitmap for each match
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
// The pairs field (schema version 5) was measured on 2026-12-05 on a
// 2 vCPU AMD EPYC virtual machine shared with other jobs, before and after
// the change in turn, twice, with go test -run x -bench
// 'BenchmarkIndex|BenchmarkSearch' -count 3 ./index/. It made Add need
// about 1.9 times the CPU time per message. Before it, cpu_ratio was 0.73
// to 0.89 and index_msgs/s 25,000 to 29,300. After it, cpu_ratio was 0.43
// to 0.46 and index_msgs/s 13,100 to 16,200. The index of BenchmarkSearch
// on nine quarters grew from 7.6 to 15.6 MB. The pairs' own analysis is a
// small part of the cost. Most of it is Bleve's work for each distinct
// term of a segment, and nearly every pair of BenchmarkIndex's random
// words is a new term. In one comparison on the corpus of
// internal/searchbench, pairs without positions added about 30% less CPU
// time to Add, but a phrase of three words or more would then need
// another check of the word order.
//
// In the same runs, BenchmarkSearch's phrase ("chuyển khoản") took 66 to
// 83 µs of CPU time on one quarter instead of 455 to 599 µs, and 260 to
// 301 µs on nine quarters instead of 712 to 816 µs. The other classes of
// BenchmarkSearch did not change beyond the noise. In BenchmarkSearchPhrase
// (-count 3, twice), "chuyen khoan" took 26 to 31 µs instead of 387 to
// 481 µs, and three words 117 to 136 µs instead of 295 to 349 µs. With
// highlighting, either two-word phrase took 182 to 277 µs instead of 431
// to 707 µs.
//
// On one million messages of internal/searchbench (CHATSEAL_BENCH_N=1000000,
// seed 1, 200 queries per class), measured the same day, two-word phrases
// took p50 5.05 ms, p95 19.2 ms and p99 24.9 ms instead of 22.0, 132 and
// 174 ms, and 2.70, 9.39 and 11.7 ms instead of 16.3, 84.9 and 138 ms
// without diacritics. SQLite FTS5 took p50 26.9 ms and p99 185 ms on the
// same phrases. Before and after, the hit counts equalled SQLite's on the
// same 160 of 200 phrases (the others have d or đ, which SQLite does not
// fold). Loading the corpus took 2m6s (7,910 messages per second) instead
// of 1m21s (12,272), and the index grew from 298 to 507 MiB.
package index
