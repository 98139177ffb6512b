package vault

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testConversation is the conversation of zca-dm-text-quote.jsonl.
const testConversation = "7712345678901234567"

// openScopedVault imports one capture into two accounts, shop-a and
// shop-b, with custodian lan holding shop-a from just after its first
// message, and team cskh made of lan and the shared account shop-b.
//
// The matters cover parts of the same messages: team-since-tenure is team
// cskh from lan's tenure on, shop-b-thread the capture's conversation in
// shop-b, other-thread a conversation that does not exist, and
// before-tenure lan's messages before her tenure. lan has no such
// messages, so before-tenure matches nothing.
func openScopedVault(t *testing.T) (*Vault, time.Time) {
	t.Helper()
	ctx := context.Background()
	cfg := newTestConfig(t)
	// The capture's first message is at 1716000000123 ms, the second at
	// 1716000062456 ms.
	tenureStart := time.UnixMilli(1716000031000)
	cfg.Custodians = []Custodian{{Name: "lan", DisplayName: "Nguyễn Thị Lan", Tenures: []Tenure{{Account: "shop-a", From: tenureStart}}}}
	cfg.Teams = []Team{{Name: "cskh", Custodians: []string{"lan"}, Accounts: []string{"shop-b"}}}
	cfg.Matters = []Matter{
		{Name: "team-since-tenure", Teams: []string{"cskh"}, From: tenureStart},
		{Name: "shop-b-thread", Accounts: []string{"shop-b"}, Conversations: []string{testConversation}},
		{Name: "other-thread", Accounts: []string{"shop-a"}, Conversations: []string{"no-such-thread"}},
		{Name: "before-tenure", Custodians: []string{"lan"}, To: tenureStart},
	}
	v, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	for _, account := range []string{"shop-a", "shop-b"} {
		_, err := v.Import(ctx, ImportRequest{Source: "zalo", Account: account, AccountUID: "8123456789012345678",
			Inputs: []string{filepath.Join(caseDir, "zca-dm-text-quote.jsonl")}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	return v, tenureStart
}

func TestFind_ScopeLimitsHitsTotalsAndFacets(t *testing.T) {
	ctx := context.Background()
	v, tenureStart := openScopedVault(t)
	all, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	count := func(account string, from time.Time) int {
		n := 0
		for _, h := range all.Hits {
			if h.Account == account && !h.SentAt.Before(from) {
				n++
			}
		}
		return n
	}
	shopA, shopB, lan := count("shop-a", time.Time{}), count("shop-b", time.Time{}), count("shop-a", tenureStart)
	shopBSince := count("shop-b", tenureStart)
	if shopA == 0 || shopB == 0 || lan == 0 || lan >= shopA || shopBSince >= shopB {
		t.Fatalf("fixture: shop-a %d, shop-b %d (%d since the tenure), lan's tenure %d messages", shopA, shopB, shopBSince, lan)
	}

	tests := []struct {
		name  string
		query string
		scope Scope
		want  int
	}{
		{"one account", "-kind:system", Scope{Accounts: []string{"shop-a"}}, shopA},
		{"query names an account outside", "account:shop-b", Scope{Accounts: []string{"shop-a"}}, 0},
		{"custodian sees only the tenure", "-kind:system", Scope{Custodians: []string{"lan"}}, lan},
		{"custodian scope, query reaches back", "account:shop-a OR -kind:system", Scope{Custodians: []string{"lan"}}, lan},
		{"team: custodian and shared account", "-kind:system", Scope{Teams: []string{"cskh"}}, lan + shopB},
		{"empty scope sees nothing", "-kind:system", Scope{}, 0},
		{"matter: team cut to its dates", "-kind:system", Scope{Matters: []string{"team-since-tenure"}}, lan + shopBSince},
		{"matter: one conversation", "-kind:system", Scope{Matters: []string{"shop-b-thread"}}, shopB},
		{"matter: a conversation with no messages", "-kind:system", Scope{Matters: []string{"other-thread"}}, 0},
		{"matter: dates before the tenure", "-kind:system", Scope{Matters: []string{"before-tenure"}}, 0},
		{"account and matter together", "-kind:system", Scope{Accounts: []string{"shop-a"}, Matters: []string{"shop-b-thread"}}, shopA + shopB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Find(ctx, SearchRequest{Query: tt.query, Limit: 1000, Scope: &tt.scope, Facets: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) != tt.want || res.Total != uint64(tt.want) {
				t.Errorf("hits %d, total %d; want %d", len(res.Hits), res.Total, tt.want)
			}
			var faceted uint64
			for _, c := range res.Facets.Accounts.Values {
				faceted += c.Count
				seesShopB := slices.Contains(tt.scope.Teams, "cskh") || slices.ContainsFunc(tt.scope.Matters, func(m string) bool { return m == "team-since-tenure" || m == "shop-b-thread" })
				if c.Value == "shop-b" && !seesShopB {
					t.Errorf("accounts facet shows shop-b (%d) outside the scope", c.Count)
				}
			}
			if faceted+res.Facets.Accounts.Other != uint64(tt.want) {
				t.Errorf("accounts facet counts %d, want %d", faceted+res.Facets.Accounts.Other, tt.want)
			}
		})
	}
}

func TestFind_CustodianQueryAndUnknownNames(t *testing.T) {
	ctx := context.Background()
	v, tenureStart := openScopedVault(t)
	res, err := v.Find(ctx, SearchRequest{Query: "custodian:lan", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("custodian:lan found nothing")
	}
	for _, h := range res.Hits {
		if h.Account != "shop-a" || h.SentAt.Before(tenureStart) {
			t.Errorf("custodian:lan found %s in %s at %s, outside the tenure", h.ID, h.Account, h.SentAt)
		}
	}
	faceted, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Facets: true, Scope: &Scope{Accounts: []string{"shop-a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(faceted.Custodians) != 1 || faceted.Custodians[0].Custodian != "lan" || faceted.Custodians[0].Count != uint64(len(res.Hits)) {
		t.Errorf("custodian facet = %+v, want lan with %d (her tenure)", faceted.Custodians, len(res.Hits))
	}
	// shop-a's messages before lan's tenure belong to no custodian.
	if want := faceted.Total - uint64(len(res.Hits)); want == 0 || faceted.NoCustodian != want {
		t.Errorf("NoCustodian = %d, want %d (total %d minus lan's %d)", faceted.NoCustodian, want, faceted.Total, len(res.Hits))
	}
	outside, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Facets: true, Scope: &Scope{Accounts: []string{"shop-b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(outside.Custodians) != 0 {
		t.Errorf("custodian facet of a search scoped to shop-b = %+v, want none", outside.Custodians)
	}
	if outside.NoCustodian != outside.Total || outside.Total == 0 {
		t.Errorf("shop-b, held by no custodian: NoCustodian %d, Total %d; want them equal and not zero", outside.NoCustodian, outside.Total)
	}
	if _, err := v.Find(ctx, SearchRequest{Query: "custodian:nobody"}); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("custodian:nobody: err = %v, want an error naming the custodian", err)
	}
	_, err = v.Find(ctx, SearchRequest{Query: "size", Scope: &Scope{Teams: []string{"sales"}}})
	if !errors.Is(err, ErrUnknownScope) {
		t.Errorf("unknown team: err = %v, want ErrUnknownScope", err)
	}
	_, err = v.Find(ctx, SearchRequest{Query: "size", Scope: &Scope{Matters: []string{"kn-404"}}})
	if !errors.Is(err, ErrUnknownScope) || !strings.Contains(err.Error(), "kn-404") {
		t.Errorf("unknown matter: err = %v, want ErrUnknownScope naming it", err)
	}
}

func TestCheckOrganisation_Matters(t *testing.T) {
	custodians := []Custodian{{Name: "lan", Tenures: []Tenure{{Account: "shop-a"}}}}
	teams := []Team{{Name: "cskh", Custodians: []string{"lan"}}}
	day := func(d int) time.Time { return time.Date(2024, 5, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		matter Matter
		want   string
	}{
		{"no name", Matter{Accounts: []string{"shop-a"}}, "a matter has no name"},
		{"unknown custodian", Matter{Name: "m", Custodians: []string{"hoa"}}, `names custodian "hoa"`},
		{"unknown team", Matter{Name: "m", Teams: []string{"sales"}}, `names team "sales"`},
		{"nothing to cover", Matter{Name: "m", Conversations: []string{"c1"}}, "names no custodian, team or account"},
		{"ends before it starts", Matter{Name: "m", Accounts: []string{"shop-a"}, From: day(9), To: day(2)}, "ends (2024-05-02) before it starts (2024-05-09)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOrganisation(custodians, teams, []Matter{tt.matter})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	twice := []Matter{{Name: "m", Accounts: []string{"a"}}, {Name: "m", Accounts: []string{"b"}}}
	if err := CheckOrganisation(custodians, teams, twice); err == nil || !strings.Contains(err.Error(), `matter "m" is defined twice`) {
		t.Errorf("a matter defined twice: error = %v", err)
	}
	valid := []Matter{{Name: "m", Teams: []string{"cskh"}, From: day(1), To: day(31)}}
	if err := CheckOrganisation(custodians, teams, valid); err != nil {
		t.Errorf("a valid matter: %v", err)
	}
}

func TestFind_SnippetsAndCursorPaging(t *testing.T) {
	ctx := context.Background()
	v, _ := openScopedVault(t)
	res, err := v.Find(ctx, SearchRequest{Query: "size", Snippets: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Snippet, SnippetOpen+"size"+SnippetClose) {
		t.Fatalf("snippet of %q hits: %+v", "size", res.Hits)
	}

	all, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Sort: "newest", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	after := ""
	for page := 0; page < 100; page++ {
		res, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Sort: "newest", Limit: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			paged = append(paged, h.ID)
		}
		if res.Next == "" {
			break
		}
		after = res.Next
	}
	var want []string
	for i, h := range all.Hits {
		want = append(want, h.ID)
		if i > 0 && h.SentAt.After(all.Hits[i-1].SentAt) {
			t.Errorf("newest first: hit %d is newer than hit %d", i, i-1)
		}
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages of 3 = %v, want %v", paged, want)
	}
	if _, err := v.Find(ctx, SearchRequest{Query: "x", Sort: "loudest"}); err == nil {
		t.Error("an unknown sort was accepted")
	}
}

func TestFind_ContextStaysInScope(t *testing.T) {
	ctx := context.Background()
	v, tenureStart := openScopedVault(t)
	for _, scope := range []Scope{
		{Custodians: []string{"lan"}},
		{Matters: []string{"team-since-tenure"}},
		{Matters: []string{"shop-b-thread"}},
	} {
		res, err := v.Find(ctx, SearchRequest{Query: "-kind:system", Limit: 100, Context: 10, Scope: &scope})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatalf("scope %+v: no hits", scope)
		}
		for _, h := range res.Hits {
			for _, n := range append(h.Before, h.After...) {
				e, err := v.catalog.Message(v.cfg.Tenant, n.ID)
				if err != nil {
					t.Fatal(err)
				}
				m := e.Message
				inside := (m.Account == "shop-a" && !m.SentAt.Before(tenureStart)) || (m.Account == "shop-b" && (scope.Matters == nil || scope.Matters[0] == "shop-b-thread" || !m.SentAt.Before(tenureStart)))
				if scope.Matters != nil && scope.Matters[0] == "shop-b-thread" {
					inside = m.Account == "shop-b"
				}
				if !inside {
					t.Errorf("scope %+v: hit %s shows neighbour %s of %s at %s, outside the scope", scope, h.ID, m.ID, m.Account, m.SentAt)
				}
			}
		}
	}
	// Without a scope, the neighbours include the message before lan's
	// tenure, so the scoped runs above had something to leave out.
	res, err := v.Find(ctx, SearchRequest{Query: "account:shop-a", Limit: 100, Context: 10})
	if err != nil {
		t.Fatal(err)
	}
	early := false
	for _, h := range res.Hits {
		for _, n := range append(h.Before, h.After...) {
			early = early || n.SentAt.Before(tenureStart)
		}
	}
	if !early {
		t.Fatal("fixture: no neighbour before the tenure even without a scope")
	}
}
