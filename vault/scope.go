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

// Matter is a case (a complaint, a dispute, an investigation) and the
// messages it concerns. These are the messages of its custodians' tenures,
// its teams and its accounts, narrowed to its conversations when it names
// some. They are also cut to the days from From (included) to To
// (excluded); a zero From or To leaves that side open.
type Matter struct {
	// Name is the handle used in scopes, such as "kn-2024-017".
	Name string
	// Title is the matter's subject, for display.
	Title      string
	Custodians []string
	Teams      []string
	Accounts   []string
	// Conversations, when not empty, limits the matter to these
	// conversation ids within its accounts and tenures.
	Conversations []string
	From, To      time.Time
}

// Scope limits what a search may see. The union of its parts is visible,
// and an empty Scope matches nothing. It is resolved to accounts and custodian
// tenures and applied inside the index query, so no part of the query can
// reach past it, not even as a count.
type Scope struct {
	Accounts   []string `json:"accounts,omitempty"`
	Custodians []string `json:"custodians,omitempty"`
	Teams      []string `json:"teams,omitempty"`
	Matters    []string `json:"matters,omitempty"`
}

// ErrUnknownScope is wrapped by the error for a scope naming a custodian,
// team or matter that the configuration does not define.
var ErrUnknownScope = errors.New("unknown custodian, team or matter")

// CheckOrganisation rejects custodians, teams and matters that could make a
// scope ambiguous. Names must be present and unique. A tenure needs an
// account and must not end before it starts. Teams and matters may name
// only defined custodians and teams, and a matter must reach an account
// and must not end before it starts. Open runs it too.
func CheckOrganisation(custodians []Custodian, teams []Team, matters []Matter) error {
	custodianNames := map[string]bool{}
	for _, c := range custodians {
		if err := addName("custodian", c.Name, custodianNames); err != nil {
			return err
		}
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
		if err := addName("team", t.Name, teamNames); err != nil {
			return err
		}
		if err := checkDefined("team", t.Name, "custodian", t.Custodians, custodianNames); err != nil {
			return err
		}
	}
	matterNames := map[string]bool{}
	for _, m := range matters {
		if err := addName("matter", m.Name, matterNames); err != nil {
			return err
		}
		if err := checkDefined("matter", m.Name, "custodian", m.Custodians, custodianNames); err != nil {
			return err
		}
		if err := checkDefined("matter", m.Name, "team", m.Teams, teamNames); err != nil {
			return err
		}
		if len(m.Custodians)+len(m.Teams)+len(m.Accounts) == 0 {
			return fmt.Errorf("vault: matter %q names no custodian, team or account, so it would match nothing", m.Name)
		}
		if !m.From.IsZero() && !m.To.IsZero() && !m.From.Before(m.To) {
			return fmt.Errorf("vault: matter %q ends (%s) before it starts (%s)", m.Name, m.To.Format(time.DateOnly), m.From.Format(time.DateOnly))
		}
	}
	return nil
}

// addName records the name of a custodian, team or matter (kind) in seen,
// rejecting an empty or repeated one.
func addName(kind, name string, seen map[string]bool) error {
	if name == "" {
		return fmt.Errorf("vault: a %s has no name", kind)
	}
	if seen[name] {
		return fmt.Errorf("vault: %s %q is defined twice", kind, name)
	}
	seen[name] = true
	return nil
}

// checkDefined returns an error for the first of names, the custodians or
// teams (kind) that an owner names, that defined lacks.
func checkDefined(owner, ownerName, kind string, names []string, defined map[string]bool) error {
	for _, n := range names {
		if !defined[n] {
			return fmt.Errorf("vault: %s %q names %s %q, which is not defined", owner, ownerName, kind, n)
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
		team, ok := v.team(name)
		if !ok {
			return nil, fmt.Errorf("vault: scope: team %q: %w", name, ErrUnknownScope)
		}
		out.Accounts = append(out.Accounts, team.Accounts...)
		for _, c := range team.Custodians {
			if err := addCustodian(c); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range s.Matters {
		spans, err := v.matterSpans(name)
		if err != nil {
			return nil, err
		}
		out.Spans = append(out.Spans, spans...)
	}
	return out, nil
}

func (v *Vault) team(name string) (*Team, bool) {
	i := slices.IndexFunc(v.cfg.Teams, func(t Team) bool { return strings.EqualFold(t.Name, name) })
	if i < 0 {
		return nil, false
	}
	return &v.cfg.Teams[i], true
}

// matterSpans resolves a matter to the spans of its accounts and tenures,
// each cut to the matter's dates and narrowed to its conversations. A
// tenure that ends before the matter starts, or starts after it ends, adds
// nothing.
func (v *Vault) matterSpans(name string) ([]index.CustodianSpan, error) {
	i := slices.IndexFunc(v.cfg.Matters, func(m Matter) bool { return strings.EqualFold(m.Name, name) })
	if i < 0 {
		return nil, fmt.Errorf("vault: scope: matter %q: %w", name, ErrUnknownScope)
	}
	m := v.cfg.Matters[i]

	var parts []index.CustodianSpan
	for _, a := range m.Accounts {
		parts = append(parts, index.CustodianSpan{Account: a})
	}
	custodians := slices.Clone(m.Custodians)
	for _, name := range m.Teams {
		team, ok := v.team(name)
		if !ok {
			return nil, fmt.Errorf("vault: scope: matter %q: team %q: %w", m.Name, name, ErrUnknownScope)
		}
		for _, a := range team.Accounts {
			parts = append(parts, index.CustodianSpan{Account: a})
		}
		custodians = append(custodians, team.Custodians...)
	}
	for _, c := range custodians {
		spans, err := v.custodianSpans(c)
		if err != nil {
			return nil, fmt.Errorf("vault: scope: matter %q: custodian %q: %w", m.Name, c, ErrUnknownScope)
		}
		parts = append(parts, spans...)
	}

	var conversations []string
	if len(m.Conversations) > 0 {
		conversations = m.Conversations
	}
	out := make([]index.CustodianSpan, 0, len(parts))
	for _, p := range parts {
		p.From = laterStart(p.From, m.From)
		p.To = earlierEnd(p.To, m.To)
		if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
			continue
		}
		p.Conversations = conversations
		out = append(out, p)
	}
	return out, nil
}

// laterStart returns the later of two starts, a zero start being open.
func laterStart(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.After(a)) {
		return b
	}
	return a
}

// earlierEnd returns the earlier of two ends, a zero end being open.
func earlierEnd(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// describe lists the scope's limits as "kind:name", for an audit event.
func (s *Scope) describe() []string {
	var out []string
	for _, group := range []struct {
		kind  string
		names []string
	}{{"account", s.Accounts}, {"custodian", s.Custodians}, {"team", s.Teams}, {"matter", s.Matters}} {
		for _, n := range group.names {
			out = append(out, group.kind+":"+n)
		}
	}
	return out
}
