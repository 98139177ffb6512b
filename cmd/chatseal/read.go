package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"chatseal/chat"
	"chatseal/index"
	"chatseal/vault"
)

func (a *app) searchCommand() *cobra.Command {
	var asJSON bool
	var req vault.SearchRequest
	var scope vault.Scope
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY",
		Short: "Tìm tin nhắn / search messages",
		Long: `Tìm tin nhắn, có dấu hoặc không dấu: "khoa the" tìm cả "khoá thẻ" và "khóa thẻ".
Cú pháp: từ, "cụm từ", -từ hoặc NOT từ, OR, AND, (nhóm), from:, to:, account:, custodian:, conversation:, kind:, source:,
has:attachment, tag:, after:YYYY-MM-DD, before:YYYY-MM-DD, phone:, money: (money>=1tr, money:1tr..2tr),
card:, bank:, email:, url:. Từ viết tắt (ko, đc, sdt, ck…) được mở rộng; =từ để tìm đúng chữ.
Hướng dẫn đầy đủ: docs/search.vi.md.

Searches messages with or without diacritics. Syntax: words, "phrases", -word or NOT word, OR, AND,
(groups), from:, to:, account:, custodian:, conversation:, kind:, source:, has:attachment,
tag:, after:YYYY-MM-DD, before:YYYY-MM-DD, phone:, money: (money>=1tr, money:1tr..2tr),
card:, bank:, email:, url:. Chat shorthand (ko, đc, sdt, ck…) is expanded; write =word
for the literal word (dates in the tenant's time zone). Full guide: docs/search.md.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if req.Limit < 1 {
				ue := newUserError("USAGE", "--limit phải từ 1 trở lên", "--limit must be 1 or more", nil)
				ue.Exit = exitUsage
				return ue
			}
			if req.Context < 0 || req.Offset < 0 {
				ue := newUserError("USAGE", "--context và --offset không được âm", "--context and --offset must not be negative", nil)
				ue.Exit = exitUsage
				return ue
			}
			if req.After != "" && req.Offset != 0 {
				ue := newUserError("USAGE", "không dùng --after cùng --offset", "--after and --offset cannot be used together", nil)
				ue.Exit = exitUsage
				return ue
			}
			if len(scope.Accounts)+len(scope.Custodians)+len(scope.Teams)+len(scope.Matters) > 0 {
				req.Scope = &scope
			}
			req.Query = strings.Join(args, " ")
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			res, err := vt.Find(cmd.Context(), req)
			var syn *index.SyntaxError
			if errors.As(err, &syn) {
				ue := classify(err)
				ue.Show = markColumn(req.Query, syn.Pos)
				return ue
			}
			if err != nil {
				return err
			}
			if asJSON {
				for _, h := range res.Hits {
					writeJSON(a.stdout, h)
				}
				// The last line, which has no "id", closes every page.
				writeJSON(a.stdout, struct {
					Total       uint64                 `json:"total"`
					Next        string                 `json:"next,omitempty"`
					Facets      *index.Facets          `json:"facets,omitempty"`
					Custodians  []vault.CustodianCount `json:"custodians,omitempty"`
					NoCustodian uint64                 `json:"no_custodian,omitempty"`
				}{res.Total, res.Next, res.Facets, res.Custodians, res.NoCustodian})
				return nil
			}
			a.printSearchResult(req, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per hit, then a last one with total, next (when a page follows) and facets")
	f.IntVar(&req.Limit, "limit", 20, "maximum number of hits to print")
	f.IntVar(&req.Offset, "offset", 0, "number of hits to skip (small pages; use --after for deep paging)")
	f.StringVar(&req.After, "after", "", "cursor of the next page, as the previous page printed it")
	f.StringVar(&req.Sort, "sort", "relevance", "order of hits: relevance, newest or oldest")
	f.IntVar(&req.Context, "context", 0, "also show up to N messages before and after each hit in its conversation")
	f.BoolVar(&req.Snippets, "snippets", false, "show the text around the matched words, marked with [ ]")
	f.BoolVar(&req.Facets, "facets", false, "count the matches by custodian, account, month, conversation and kind")
	f.BoolVar(&req.NoShorthand, "no-shorthand", false, "search chat abbreviations (ko, dc, sdt…) only as written")
	f.StringSliceVar(&scope.Accounts, "scope-account", nil, "only these accounts (repeat or comma-separate)")
	f.StringSliceVar(&scope.Custodians, "scope-custodian", nil, "only these custodians, within their tenures")
	f.StringSliceVar(&scope.Teams, "scope-team", nil, "only these teams")
	f.StringSliceVar(&scope.Matters, "scope-matter", nil, "only what these matters concern: their custodians, teams and accounts, conversations and dates")
	return cmd
}

func (a *app) printSearchResult(req vault.SearchRequest, res *vault.SearchResult) {
	fmt.Fprintf(a.stdout, "%d kết quả / results\n", res.Total)
	for _, h := range res.Hits {
		mark := ""
		if h.RecalledAt != nil {
			mark = "  {ĐÃ THU HỒI/RECALLED " + h.RecalledAt.Format("2006-01-02 15:04") + "}"
		}
		if h.EditedAt != nil {
			mark += "  {ĐÃ SỬA/EDITED " + h.EditedAt.Format("2006-01-02 15:04") + "}"
		}
		if len(h.Tags) > 0 {
			mark += "  {nhãn/tags: " + strings.Join(h.Tags, ", ") + "}"
		}
		text := oneLine(h.Text, h.Kind)
		if h.Snippet != "" {
			text = oneLine(h.Snippet, h.Kind)
		}
		for _, att := range h.Attachments {
			text += " " + attachmentLabel(att)
		}
		fmt.Fprintln(a.stdout)
		for _, c := range h.Before {
			fmt.Fprintf(a.stdout, "    · %s  %s  %s\n", c.SentAt.Format("2006-01-02 15:04"), senderLabel(c.Sender, c.Direction), oneLine(c.Text, c.Kind))
		}
		fmt.Fprintf(a.stdout, "%s  %s/%s  %s  id %s%s\n  %s\n", h.SentAt.Format("2006-01-02 15:04"), h.Account, h.Conversation, senderLabel(h.Sender, h.Direction), h.ID, mark, text)
		for _, c := range h.After {
			fmt.Fprintf(a.stdout, "    · %s  %s  %s\n", c.SentAt.Format("2006-01-02 15:04"), senderLabel(c.Sender, c.Direction), oneLine(c.Text, c.Kind))
		}
	}
	if res.Facets != nil {
		a.printFacets(res.Facets, res.Custodians, res.NoCustodian)
	}
	switch {
	case res.Next != "":
		fmt.Fprintf(a.stdout, "\nTrang sau / next page: --after %s\n", res.Next)
	case req.After == "" && res.Total > uint64(req.Offset+len(res.Hits)):
		more := res.Total - uint64(req.Offset+len(res.Hits))
		fmt.Fprintf(a.stdout, "\n… thêm %d kết quả; dùng --offset %d / %d more; use --offset %d\n", more, req.Offset+len(res.Hits), more, req.Offset+len(res.Hits))
	}
}

// printFacets writes each facet as a small bar chart, so that where the
// matches fall reads at a glance.
func (a *app) printFacets(f *index.Facets, custodians []vault.CustodianCount, noCustodian uint64) {
	byCustodian := index.Facet{}
	for _, c := range custodians {
		byCustodian.Values = append(byCustodian.Values, index.FacetCount{Value: c.Custodian, Count: c.Count})
	}
	if noCustodian > 0 && len(custodians) > 0 {
		byCustodian.Values = append(byCustodian.Values, index.FacetCount{Value: "(không ai giữ / no custodian)", Count: noCustodian})
	}
	facets := []struct {
		title string
		facet index.Facet
	}{
		{"Theo người giữ tài khoản / by custodian", byCustodian},
		{"Theo tài khoản / by account", f.Accounts},
		{"Theo tháng / by month", f.Months},
		{"Theo cuộc trò chuyện / by conversation", f.Conversations},
		{"Theo loại tin / by kind", f.Kinds},
	}
	for _, fc := range facets {
		if len(fc.facet.Values) == 0 {
			continue
		}
		fmt.Fprintf(a.stdout, "\n%s\n", fc.title)
		var top uint64
		for _, v := range fc.facet.Values {
			top = max(top, v.Count)
		}
		for _, v := range fc.facet.Values {
			label := v.Value
			if v.Account != "" {
				label = v.Account + "/" + v.Value
			}
			bar := strings.Repeat("█", int((v.Count*30+top-1)/top))
			fmt.Fprintf(a.stdout, "  %-32s %7d %s\n", label, v.Count, bar)
		}
		if fc.facet.Other > 0 {
			fmt.Fprintf(a.stdout, "  %-32s %7d\n", "(khác / other)", fc.facet.Other)
		}
	}
}

// senderLabel names a sender for a terminal: the display name, or the id
// (or "staff" for the archived account, which Zalo leaves unnamed),
// with an arrow for the direction (← from a customer, → from staff).
func senderLabel(p chat.Participant, d chat.Direction) string {
	who := p.Name
	if who == "" && d == chat.Outbound {
		who = "nhân viên/staff"
	}
	if who == "" {
		who = p.ID
	}
	if d == chat.Outbound {
		return "→ " + who
	}
	return "← " + who
}

func oneLine(text string, kind chat.Kind) string {
	if text == "" {
		return "[" + string(kind) + "]"
	}
	return strings.ReplaceAll(text, "\n", " ⏎ ")
}

func (a *app) showCommand() *cobra.Command {
	var asJSON bool
	var account string
	cmd := &cobra.Command{
		Use:   "show [--account ACCOUNT] [--json] CONVERSATION",
		Short: "Xem toàn bộ một cuộc trò chuyện / show a whole conversation",
		Long: `Hiện cuộc trò chuyện theo thứ tự thời gian. Tin nhắn đã thu hồi hoặc đã sửa được đánh dấu, không bao giờ bị ẩn.
CONVERSATION là mã hội thoại (cột conversation của search), hoặc ACCOUNT/CONVERSATION.

Shows a conversation in time order. Recalled and edited messages are marked, never hidden.
CONVERSATION is the conversation id (the conversation column of search), or ACCOUNT/CONVERSATION.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			th, err := vt.Show(cmd.Context(), args[0], account)
			if err != nil {
				return err
			}
			if asJSON {
				writeJSON(a.stdout, th)
				return nil
			}
			c := th.Conversation
			fmt.Fprintf(a.stdout, "Hội thoại / conversation %s/%s (%s, %s), %d tin nhắn / messages\n\n", c.Account, c.Conversation, c.Source, c.Kind, c.Messages)
			for _, m := range th.Messages {
				a.printThreadMessage(m)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the conversation as one JSON object")
	cmd.Flags().StringVar(&account, "account", "", "account holding the conversation, when its id is in several")
	return cmd
}

func (a *app) printThreadMessage(m chat.ThreadView) {
	var marks []string
	if m.RecalledAt != nil {
		marks = append(marks, "ĐÃ THU HỒI/RECALLED "+m.RecalledAt.Format("15:04:05"))
	}
	if m.EditedAt != nil {
		marks = append(marks, "ĐÃ SỬA/EDITED "+m.EditedAt.Format("15:04:05"))
	}
	for sender, r := range m.Reactions {
		marks = append(marks, fmt.Sprintf("%s %s", r, sender))
	}
	if len(m.Tags) > 0 {
		marks = append(marks, "nhãn/tags: "+strings.Join(m.Tags, ", "))
	}
	line := oneLine(m.Text, m.Kind)
	switch m.Kind {
	case chat.KindRecall:
		line = "[thu hồi tin nhắn / recalled message " + m.Target + "]"
	case chat.KindReaction:
		if m.ReactionRemoved {
			line = "[bỏ cảm xúc / reaction removed on " + m.Target + "]"
		} else {
			line = "[cảm xúc / reaction " + m.Reaction + " on " + m.Target + "]"
		}
	}
	if m.Text != "" && m.Kind != chat.KindText && len(m.Attachments) == 0 {
		line = "[" + string(m.Kind) + "] " + line
	}
	for _, att := range m.Attachments {
		line += " " + attachmentLabel(att)
	}
	// The archive id is what tag and prove take; the source id is the
	// platform's, which replies and reactions name.
	fmt.Fprintf(a.stdout, "%s %s (%s, id %s)", m.SentAt.Format("2006-01-02 15:04:05"), senderLabel(m.Sender, m.Direction), m.SourceID, m.ID)
	if m.ReplyTo != "" {
		fmt.Fprintf(a.stdout, " ↩ %s", m.ReplyTo)
	}
	if len(marks) > 0 {
		fmt.Fprintf(a.stdout, " {%s}", strings.Join(marks, "; "))
	}
	fmt.Fprintf(a.stdout, "\n    %s\n", line)
}

// attachmentLabel writes an attachment as "[kind: name, status]": stored
// with the start of its SHA-256, missing with the reason, or a link only.
func attachmentLabel(att chat.Attachment) string {
	name := att.Name
	if name == "" {
		name = att.URI
	}
	if name == "" {
		name = att.Path
	}
	if name == "" {
		name = "(không tên/unnamed)"
	}
	status := ""
	switch {
	case att.Present != nil && *att.Present && att.SHA256 != "":
		status = ", lưu trữ/stored sha256:" + att.SHA256
	case att.Present != nil && !*att.Present:
		status = ", thiếu/missing: " + att.AbsentReason
	}
	return fmt.Sprintf("[%s: %s%s]", att.Kind, name, status)
}

func (a *app) statsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats [--json]",
		Short: "Số liệu của kho / archive totals",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			s, err := vt.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				writeJSON(a.stdout, s)
				return nil
			}
			lock := "không / no (thư mục cục bộ: chatseal tự áp dụng thời hạn lưu giữ / local folder: chatseal enforces retention itself)"
			if s.ObjectLock {
				lock = "có / yes (S3 Object Lock)"
			}
			fmt.Fprintf(a.stdout, "Tổ chức / tenant:                    %s\n", s.Tenant)
			fmt.Fprintf(a.stdout, "Tin nhắn / messages:                 %d\n", s.Messages)
			fmt.Fprintf(a.stdout, "Hội thoại / conversations:           %d\n", s.Conversations)
			fmt.Fprintf(a.stdout, "Phân đoạn / segments:                %d\n", s.Segments)
			fmt.Fprintf(a.stdout, "Dung lượng kho / archive bytes:      %d (%s)\n", s.ArchiveBytes, humanBytes(s.ArchiveBytes))
			fmt.Fprintf(a.stdout, "Đang chờ ghi / spooled:              %d\n", s.Spooled)
			fmt.Fprintf(a.stdout, "Đã lập chỉ mục / indexed:            %d\n", s.Indexed)
			fmt.Fprintf(a.stdout, "Object Lock:                         %s\n", lock)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the totals as one JSON object")
	return cmd
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// markColumn returns the query indented, and under it a caret at the
// 1-based character column col, so that the place of a syntax error shows
// whatever the language of the message.
func markColumn(query string, col int) string {
	col = max(1, min(col, utf8.RuneCountInString(query)+1))
	return "  " + query + "\n  " + strings.Repeat(" ", col-1) + "^"
}
