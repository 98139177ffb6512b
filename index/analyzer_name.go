package index

// FoldedAnalyzer is the name under which the folded analyzer (lowercase,
// diacritics removed, đ as d) is registered with Bleve, for code that builds
// its own Bleve mapping with the same analysis, such as benchmarks.
const FoldedAnalyzer = foldedAnalyzerName
