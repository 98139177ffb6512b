package vault

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"chatseal/index"
)

// Custodian is a person who held archived accounts: the employee whose
// Zalo or WhatsApp the account is. A custodian holds an account for a
// tenure; when the employee leaves, the account passes to a successor, and
// each of them is answerable only for their own time.
type Custodian struct {
	// Name is the handle used in custodian: and scopes, such as "lan".
	Name string
	// DisplayName is the person's full name, for display.
	DisplayName string
	// Tenures are the accounts the custodian held, and when.
	Tenures []Tenure
}

// Tenure is one account held by a custodian from From (included) to To
// (excluded). A zero From means since the account's first message, a zero
// To means still held.
type Tenure struct {
	Account  string
	From, To time.Time
}

// Team is a group of custodians and accounts that one manager watches.
type Team struct {
	Name       string
	Custodians []string
	// Accounts are shared accounts of the team held by no custodian.
	Accounts []string
}

// Scope limits what a search may see. The union of its parts is visible,
// and an empty Scope matches nothing. It is resolved to accounts and custodian
// tenures and applied inside the index query, so no part of the query can
// reach past it, not even as a count.
type Scope struct {
	Accounts   []string `json:"accounts,omitempty"`
	Custodians []string `json:"custodians,omitempty"`
	Teams      []string `json:"teams,omitempty"`
}

// ErrUnknownScope is wrapped by the error for a scope naming a custodian or
// team that the configuration does not define.
var ErrUnknownScope = errors.New("unknown custodian or team")

// CheckOrganisation rejects custodians and teams that could make a scope
// ambiguous: empty or repeated names, tenures without an account or ending
// before they start, teams naming unknown custodians. Open runs it too.
func CheckOrganisation(custodians []Custodian, teams []Team) error {
	seen := map[string]bool{}
	for _, c := range custodians {
		if c.Name == "" {
			return errors.New("vault: a custodian has no name")
		}
		if seen[c.Name] {
			return fmt.Errorf("vault: custodian %q is defined twice", c.Name)
		}
		seen[c.Name] = true
		for _, t := range c.Tenures {
			if t.Account == "" {
				return fmt.Errorf("vault: custodian %q: a tenure has no account", c.Name)
			}
			if !t.From.IsZero() && !t.To.IsZero() && !t.From.Before(t.To) {
				return fmt.Errorf("vault: custodian %q: tenure of %s ends (%s) before it starts (%s)", c.Name, t.Account, t.To.Format(time.DateOnly), t.From.Format(time.DateOnly))
			}
		}
	}
	teamNames := map[string]bool{}
	for _, t := range teams {
		if t.Name == "" {
			return errors.New("vault: a team has no name")
		}
		if teamNames[t.Name] {
			return fmt.Errorf("vault: team %q is defined twice", t.Name)
		}
		teamNames[t.Name] = true
		for _, c := range t.Custodians {
			if !seen[c] {
				return fmt.Errorf("vault: team %q names custodian %q, who is not defined", t.Name, c)
			}
		}
	}
	return nil
}

func (v *Vault) custodian(name string) (*Custodian, bool) {
	for i := range v.cfg.Custodians {
		if strings.EqualFold(v.cfg.Custodians[i].Name, name) {
			return &v.cfg.Custodians[i], true
		}
	}
	return nil, false
}

// custodianSpans resolves custodian: in a query.
func (v *Vault) custodianSpans(name string) ([]index.CustodianSpan, error) {
	c, ok := v.custodian(name)
	if !ok {
		return nil, index.ErrUnknownCustodian
	}
	spans := make([]index.CustodianSpan, len(c.Tenures))
	for i, t := range c.Tenures {
		spans[i] = index.CustodianSpan{Account: t.Account, From: t.From, To: t.To}
	}
	return spans, nil
}

// resolveScope turns a scope into the accounts and tenures it covers.
func (v *Vault) resolveScope(s Scope) (*index.Scope, error) {
	out := &index.Scope{Accounts: slices.Clone(s.Accounts)}
	if out.Accounts == nil {
		out.Accounts = []string{}
	}
	addCustodian := func(name string) error {
		spans, err := v.custodianSpans(name)
		if err != nil {
			return fmt.Errorf("vault: scope: custodian %q: %w", name, ErrUnknownScope)
		}
		out.Spans = append(out.Spans, spans...)
		return nil
	}
	for _, name := range s.Custodians {
		if err := addCustodian(name); err != nil {
			return nil, err
		}
	}
	for _, name := range s.Teams {
		i := slices.IndexFunc(v.cfg.Teams, func(t Team) bool { return strings.EqualFold(t.Name, name) })
		if i < 0 {
			return nil, fmt.Errorf("vault: scope: team %q: %w", name, ErrUnknownScope)
		}
		team := v.cfg.Teams[i]
		out.Accounts = append(out.Accounts, team.Accounts...)
		for _, c := range team.Custodians {
			if err := addCustodian(c); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
