package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"chatseal/audit"
	"chatseal/catalog"
	"chatseal/chat"
	"chatseal/index"
)

// SearchHit is one message found by Search.
type SearchHit struct {
	ID           string           `json:"id"`
	SourceID     string           `json:"source_id"`
	Source       string           `json:"source"`
	Account      string           `json:"account"`
	Conversation string           `json:"conversation"`
	SentAt       time.Time        `json:"sent_at"`
	Sender       chat.Participant `json:"sender"`
	Direction    chat.Direction   `json:"direction"`
	Kind         chat.Kind        `json:"kind"`
	Text         string           `json:"text"`
	Score        float64          `json:"score"`
	// Snippet is the text around the matched words, marked, when the
	// request includes snippets.
	Snippet string `json:"snippet,omitempty"`
	// Attachments are the message's files, stored or marked missing.
	Attachments []chat.Attachment `json:"attachments,omitempty"`
	// Tags are the reviewer tags of the message (see Vault.Tag).
	Tags []string `json:"tags,omitempty"`
	// RecalledAt and EditedAt are set when a later message recalled or
	// edited this one; the text is the original either way.
	RecalledAt *time.Time `json:"recalled_at,omitempty"`
	EditedAt   *time.Time `json:"edited_at,omitempty"`
	// Before and After are neighbouring messages of the same conversation,
	// filled when the search requests context.
	Before []ContextMessage `json:"before,omitempty"`
	After  []ContextMessage `json:"after,omitempty"`
}

// ContextMessage is a neighbour of a hit in its conversation.
type ContextMessage struct {
	ID        string           `json:"id"`
	SourceID  string           `json:"source_id"`
	SentAt    time.Time        `json:"sent_at"`
	Sender    chat.Participant `json:"sender"`
	Direction chat.Direction   `json:"direction"`
	Kind      chat.Kind        `json:"kind"`
	Text      string           `json:"text"`
}

// SearchWithContext is Search that also returns, for each hit, up to
// around messages before and after it in its conversation.
func (v *Vault) SearchWithContext(ctx context.Context, q string, limit, offset, around int) (*SearchResult, error) {
	return v.Find(ctx, SearchRequest{Query: q, Limit: limit, Offset: offset, Context: around})
}

func (v *Vault) contextMessages(entries []*catalog.Entry) []ContextMessage {
	out := make([]ContextMessage, len(entries))
	for i, e := range entries {
		m := e.Message
		out[i] = ContextMessage{ID: m.ID, SourceID: m.SourceID, SentAt: m.SentAt.In(v.cfg.Location), Sender: m.Sender, Direction: m.Direction, Kind: m.Kind, Text: m.Text}
	}
	return out
}

// SearchResult is a page of hits and the total number of matches.
type SearchResult struct {
	// Total counts every match within the scope, not only the hits.
	Total uint64      `json:"total"`
	Hits  []SearchHit `json:"hits"`
	// Next is the cursor of the next page (SearchRequest.After), empty on
	// the last page.
	Next string `json:"next,omitempty"`
	// Facets counts the matches by account, month, conversation and kind
	// when the request includes them.
	Facets *index.Facets `json:"facets,omitempty"`
	// Custodians counts the matches within each configured custodian's
	// tenures, when the request includes facets; custodians without a
	// match are left out. Tenures of different custodians may overlap
	// (a shared account), so the counts need not add up to Total.
	Custodians []CustodianCount `json:"custodians,omitempty"`
	// NoCustodian counts the matches that fall in no configured
	// custodian's tenure, such as those of shared accounts, when the
	// request includes facets and custodians are configured.
	NoCustodian uint64 `json:"no_custodian,omitempty"`
}

// CustodianCount is the number of matches within one custodian's tenures.
type CustodianCount struct {
	Custodian   string `json:"custodian"`
	DisplayName string `json:"display_name,omitempty"`
	Count       uint64 `json:"count"`
}

// Search runs a query in chatseal's query language and returns the hits,
// best first, with their messages from the catalog.
func (v *Vault) Search(ctx context.Context, q string, limit, offset int) (*SearchResult, error) {
	return v.Find(ctx, SearchRequest{Query: q, Limit: limit, Offset: offset})
}

// SearchRequest is one search with its options.
type SearchRequest struct {
	// Query is in chatseal's query language (see package index).
	Query string
	// Limit is the page size; zero means 20, at most 1,000.
	Limit int
	// Offset skips that many hits; use After for deep paging.
	Offset int
	// After is SearchResult.Next of the previous page with the same Sort.
	After string
	// Sort is "relevance" (or empty), "newest" or "oldest".
	Sort string
	// Context adds up to that many neighbouring messages before and after
	// each hit.
	Context int
	// Snippets fills each hit's Snippet with the text around the matched
	// words, marked with SnippetOpen and SnippetClose.
	Snippets bool
	// Facets fills SearchResult.Facets.
	Facets bool
	// NoShorthand searches chat abbreviations as written only.
	NoShorthand bool
	// Scope limits the messages the search may match. Nil means every
	// message.
	Scope *Scope
}

// Snippet marks and width used by SearchRequest.Snippets.
const (
	SnippetOpen  = "["
	SnippetClose = "]"
	snippetWidth = 160
)

// Find runs a search request and records it as an audit event with the
// ids of the messages it returns, neighbours included.
func (v *Vault) Find(ctx context.Context, req SearchRequest) (*SearchResult, error) {
	res, err := v.find(ctx, req)
	e := audit.Event{Action: audit.ActionSearch, Query: req.Query, Details: map[string]string{}}
	if req.Scope != nil {
		e.Scope = req.Scope.describe()
	}
	if req.Sort != "" {
		e.Details["sort"] = req.Sort
	}
	if req.Offset > 0 {
		e.Details["offset"] = strconv.Itoa(req.Offset)
	}
	if req.After != "" {
		e.Details["after"] = req.After
	}
	if res != nil {
		e.Results = count(int64(res.Total))
		for _, h := range res.Hits {
			e.Targets = append(e.Targets, h.ID)
			for _, c := range slices.Concat(h.Before, h.After) {
				e.Targets = append(e.Targets, c.ID)
			}
		}
	}
	if err := v.record(ctx, e, err); err != nil {
		return nil, err
	}
	return res, nil
}

func (v *Vault) find(ctx context.Context, req SearchRequest) (*SearchResult, error) {
	sort := index.SortRelevance
	if req.Sort != "" {
		var err error
		if sort, err = index.ParseSort(req.Sort); err != nil {
			return nil, err
		}
	}
	var err error
	opts := index.SearchOptions{
		Limit: req.Limit, Offset: req.Offset, After: req.After, Sort: sort,
		NoShorthand: req.NoShorthand, Highlight: req.Snippets, Facets: req.Facets,
		Custodian: v.custodianSpans,
	}
	if req.Scope != nil {
		if opts.Scope, err = v.resolveScope(*req.Scope); err != nil {
			return nil, err
		}
	}
	res, err := v.index.Search(ctx, req.Query, opts)
	if err != nil {
		return nil, err
	}
	out := &SearchResult{Total: res.Total, Next: res.Next, Facets: res.Facets, Hits: make([]SearchHit, 0, len(res.Hits))}
	if req.Facets && len(v.cfg.Custodians) > 0 {
		var inTenure uint64
		if out.Custodians, inTenure, err = v.custodianCounts(ctx, req.Query, opts); err != nil {
			return nil, err
		}
		out.NoCustodian = res.Total - min(inTenure, res.Total)
	}
	for _, h := range res.Hits {
		hit, err := v.searchHit(h)
		if err != nil {
			return nil, err
		}
		if req.Snippets {
			hit.Snippet = index.Snippet(hit.Text, h.Spans, snippetWidth, SnippetOpen, SnippetClose)
		}
		if req.Context > 0 {
			before, after, err := v.catalog.Around(v.cfg.Tenant, hit.Account, hit.Conversation, hit.SentAt, hit.ID, req.Context)
			if err != nil {
				return nil, err
			}
			// The neighbours are read from the catalog, outside the
			// index query, so the scope is applied to them here: a
			// scoped search shows fewer of them rather than any outside.
			outside := func(e *catalog.Entry) bool { return !opts.Scope.Contains(e.Message) }
			hit.Before = v.contextMessages(slices.DeleteFunc(before, outside))
			hit.After = v.contextMessages(slices.DeleteFunc(after, outside))
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// custodianCounts counts the matches of q within each custodian's tenures,
// one count query per custodian. inTenure counts the matches within any
// custodian's tenure, from one more group of every tenure together.
func (v *Vault) custodianCounts(ctx context.Context, q string, opts index.SearchOptions) (counts []CustodianCount, inTenure uint64, err error) {
	groups := make([]index.Scope, len(v.cfg.Custodians)+1)
	all := &groups[len(groups)-1]
	for i, c := range v.cfg.Custodians {
		spans, err := v.custodianSpans(c.Name)
		if err != nil {
			return nil, 0, err
		}
		groups[i] = index.Scope{Spans: spans}
		all.Spans = append(all.Spans, spans...)
	}
	n, err := v.index.CountIn(ctx, q, opts, groups)
	if err != nil {
		return nil, 0, err
	}
	for i, c := range v.cfg.Custodians {
		if n[i] > 0 {
			counts = append(counts, CustodianCount{Custodian: c.Name, DisplayName: c.DisplayName, Count: n[i]})
		}
	}
	sort.SliceStable(counts, func(i, j int) bool { return counts[i].Count > counts[j].Count })
	return counts, n[len(n)-1], nil
}

// searchHit reads the message of an index hit from the catalog.
func (v *Vault) searchHit(h index.Hit) (SearchHit, error) {
	e, err := v.catalog.Message(v.cfg.Tenant, h.ID)
	if err != nil {
		return SearchHit{}, fmt.Errorf("vault: search hit %s: %w", h.ID, err)
	}
	m := e.Message
	hit := SearchHit{
		ID: m.ID, SourceID: m.SourceID, Source: m.Source, Account: m.Account,
		Conversation: m.Conversation, SentAt: m.SentAt.In(v.cfg.Location), Sender: m.Sender,
		Direction: m.Direction, Kind: m.Kind, Text: m.Text, Score: h.Score,
		Attachments: m.Attachments,
	}
	if hit.Tags, err = v.catalog.Tags(v.cfg.Tenant, m.ID); err != nil {
		return SearchHit{}, err
	}
	recalled, edited, err := v.catalog.Changed(v.cfg.Tenant, m.Account, m.Conversation, m.SourceID)
	if err != nil {
		return SearchHit{}, err
	}
	if !recalled.IsZero() {
		at := recalled.In(v.cfg.Location)
		hit.RecalledAt = &at
	}
	if edited.IsZero() && m.EditedAt != nil {
		edited = *m.EditedAt
	}
	if !edited.IsZero() {
		at := edited.In(v.cfg.Location)
		hit.EditedAt = &at
	}
	return hit, nil
}

// Thread is one conversation in time order, with recalls, edits and
// reactions applied to the messages they target (never hiding them).
type Thread struct {
	Conversation catalog.Conversation `json:"conversation"`
	Messages     []chat.ThreadView    `json:"messages"`
}

// ErrAmbiguous is returned by Show when a conversation id exists in several
// accounts and no account was given.
var ErrAmbiguous = errors.New("conversation id is ambiguous")

// Show returns a conversation and records the reading as an audit event.
// conversation is the thread id, optionally written as ACCOUNT/THREAD;
// account, when not empty, picks the account.
func (v *Vault) Show(ctx context.Context, conversation, account string) (*Thread, error) {
	t, err := v.show(ctx, conversation, account)
	e := audit.Event{Action: audit.ActionViewConversation, Targets: []string{conversation}}
	if account != "" {
		e.Details = map[string]string{"account": account}
	}
	if t != nil {
		// The conversation, then every message shown.
		e.Targets = []string{t.Conversation.Account + "/" + t.Conversation.Conversation}
		for _, m := range t.Messages {
			e.Targets = append(e.Targets, m.ID)
		}
		e.Results = count(len(t.Messages))
	}
	if err := v.record(ctx, e, err); err != nil {
		return nil, err
	}
	return t, nil
}

func (v *Vault) show(ctx context.Context, conversation, account string) (*Thread, error) {
	matches, err := v.findConversations(conversation, account)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		if acc, thread, ok := strings.Cut(conversation, "/"); ok && account == "" {
			matches, err = v.findConversations(thread, acc)
			if err != nil {
				return nil, err
			}
		}
	}
	switch len(matches) {
	case 0:
		return nil, fmt.Errorf("vault: conversation %q: %w", conversation, catalog.ErrNotFound)
	case 1:
	default:
		accounts := make([]string, len(matches))
		for i, c := range matches {
			accounts[i] = c.Account
		}
		return nil, fmt.Errorf("vault: conversation %q is in accounts %s; choose one with --account: %w", conversation, strings.Join(accounts, ", "), ErrAmbiguous)
	}
	conv := matches[0]
	var msgs []*chat.Message
	err = v.catalog.Thread(v.cfg.Tenant, conv.Account, conv.Conversation, func(e *catalog.Entry) error {
		e.Message.SentAt = e.Message.SentAt.In(v.cfg.Location)
		msgs = append(msgs, e.Message)
		return nil
	})
	if err != nil {
		return nil, err
	}
	views := chat.BuildThread(msgs)
	for i := range views {
		if views[i].Tags, err = v.catalog.Tags(v.cfg.Tenant, views[i].ID); err != nil {
			return nil, err
		}
	}
	return &Thread{Conversation: conv, Messages: views}, nil
}

func (v *Vault) findConversations(conversation, account string) ([]catalog.Conversation, error) {
	var out []catalog.Conversation
	err := v.catalog.Conversations(v.cfg.Tenant, conversation, func(c catalog.Conversation) error {
		if account == "" || c.Account == account {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Stats are the archive's totals.
type Stats struct {
	Tenant        string `json:"tenant"`
	Messages      int64  `json:"messages"`
	Conversations int64  `json:"conversations"`
	Segments      int64  `json:"segments"`
	ArchiveBytes  int64  `json:"archive_bytes"`
	Spooled       int    `json:"spooled"`
	Indexed       uint64 `json:"indexed"`
	ObjectLock    bool   `json:"object_lock"`
}

// Stats returns the archive's totals.
func (v *Vault) Stats(ctx context.Context) (*Stats, error) {
	s, err := v.catalog.Stats(v.cfg.Tenant)
	if err != nil {
		return nil, err
	}
	indexed, err := v.index.Count()
	if err != nil {
		return nil, err
	}
	return &Stats{
		Tenant: v.cfg.Tenant, Messages: s.Messages, Conversations: s.Conversations,
		Segments: s.Segments, ArchiveBytes: s.ArchiveBytes, Spooled: v.spool.Len(),
		Indexed: indexed, ObjectLock: v.objectLock,
	}, nil
}
