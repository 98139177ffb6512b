package index

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSearch_Scope(t *testing.T) {
	// acc1 has a1..a5 in c1 and c2; acc2 has b1..b4 in c1 and c3.
	x := openTestIndex(t, facetMessages()...)
	tests := []struct {
		name  string
		query string
		scope *Scope
		want  []string
	}{
		{"nil scope sees all", "báo", nil, []string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4"}},
		{"one account", "báo", &Scope{Accounts: []string{"acc1"}}, []string{"a1", "a2", "a3", "a4", "a5"}},
		{"two accounts", "báo", &Scope{Accounts: []string{"acc2", "acc1"}}, []string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4"}},
		{"query names another account", "account:acc2", &Scope{Accounts: []string{"acc1"}}, []string{}},
		{"query or another account", "account:acc2 OR account:acc1", &Scope{Accounts: []string{"acc1"}}, []string{"a1", "a2", "a3", "a4", "a5"}},
		{"exclusions only", "-kind:image", &Scope{Accounts: []string{"acc2"}}, []string{"b1", "b2", "b4"}},
		{"conversation id in both accounts", "báo", &Scope{Accounts: []string{"acc2"}, Conversations: []string{"c1"}}, []string{"b1"}},
		{"query names another conversation", "conversation:c2", &Scope{Accounts: []string{"acc1", "acc2"}, Conversations: []string{"c1", "c3"}}, []string{}},
		{"empty accounts match nothing", "báo", &Scope{}, []string{}},
		{"empty conversations match nothing", "báo", &Scope{Accounts: []string{"acc1"}, Conversations: []string{}}, []string{}},
		{"unknown account", "báo", &Scope{Accounts: []string{"acc9"}}, []string{}},
		{"custodian tenure of one account", "báo", &Scope{Spans: []CustodianSpan{
			{Account: "acc1", From: time.Date(2024, 1, 11, 0, 0, 0, 0, hcm), To: time.Date(2024, 5, 1, 0, 0, 0, 0, hcm)},
		}}, []string{"a2", "a3", "a4"}},
		{"tenure and a whole account", "báo", &Scope{Accounts: []string{"acc2"}, Spans: []CustodianSpan{
			{Account: "acc1", From: time.Date(2024, 5, 1, 0, 0, 0, 0, hcm)},
		}}, []string{"a5", "b1", "b2", "b3", "b4"}},
		{"query reaches past the tenure", "account:acc1 OR after:2023-01-01", &Scope{Spans: []CustodianSpan{
			{Account: "acc1", To: time.Date(2024, 1, 11, 0, 0, 0, 0, hcm)},
		}}, []string{"a1"}},
		{"tenure narrowed to a conversation", "báo", &Scope{Conversations: []string{"c2"}, Spans: []CustodianSpan{
			{Account: "acc1", From: time.Date(2024, 1, 1, 0, 0, 0, 0, hcm), To: time.Date(2024, 12, 1, 0, 0, 0, 0, hcm)},
		}}, []string{"a3", "a4"}},
		{"span with its own conversations", "báo", &Scope{Accounts: []string{"acc2"}, Spans: []CustodianSpan{
			{Account: "acc1", Conversations: []string{"c1"}},
		}}, []string{"a1", "a2", "a5", "b1", "b2", "b3", "b4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.query, SearchOptions{Limit: MaxLimit, Scope: tt.scope, Facets: true})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("hits = %v, want %v", got, tt.want)
			}
			if res.Total != uint64(len(tt.want)) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
			// Contains must agree with the query on every message that
			// the plain query matches.
			if tt.query == "báo" {
				for _, m := range facetMessages() {
					if got, want := tt.scope.Contains(m), slices.Contains(tt.want, m.ID); got != want {
						t.Errorf("Contains(%s) = %v, the scoped search says %v", m.ID, got, want)
					}
				}
			}

			// Every facet must count the hits in scope and nothing else.
			for name, facet := range map[string]Facet{"accounts": res.Facets.Accounts, "conversations": res.Facets.Conversations, "kinds": res.Facets.Kinds} {
				var sum uint64
				for _, c := range facet.Values {
					sum += c.Count
					account := c.Value
					if name != "accounts" {
						account = c.Account
					}
					inScope := tt.scope == nil || slices.Contains(tt.scope.Accounts, account) ||
						slices.ContainsFunc(tt.scope.Spans, func(s CustodianSpan) bool { return s.Account == account })
					if name != "kinds" && !inScope {
						t.Errorf("%s facet lists %+v, outside the scope", name, c)
					}
				}
				if sum+facet.Other != uint64(len(tt.want)) {
					t.Errorf("%s facet counts %d hits, want %d", name, sum+facet.Other, len(tt.want))
				}
			}
			for _, c := range res.Facets.Months.Values {
				if tt.scope != nil && len(tt.scope.Accounts) == 1 && tt.scope.Accounts[0] == "acc1" && strings.HasPrefix(c.Value, "2024-08") {
					t.Errorf("months facet lists %+v, a month of acc2 only", c)
				}
			}
		})
	}
}

func TestCountIn_GroupsWithinScope(t *testing.T) {
	x := openTestIndex(t, facetMessages()...)
	groups := []Scope{
		{Accounts: []string{"acc1"}},
		{Accounts: []string{"acc2"}},
		{Spans: []CustodianSpan{{Account: "acc1", From: time.Date(2024, 2, 1, 0, 0, 0, 0, hcm)}}},
	}
	tests := []struct {
		name  string
		scope *Scope
		want  []uint64
	}{
		{"no scope", nil, []uint64{5, 4, 3}},
		{"scope to acc1", &Scope{Accounts: []string{"acc1"}}, []uint64{5, 0, 3}},
		{"empty scope", &Scope{}, []uint64{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.CountIn(context.Background(), "báo", SearchOptions{Scope: tt.scope}, groups)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("counts = %v, want %v", got, tt.want)
			}
		})
	}
}
