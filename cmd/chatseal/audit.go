package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chatseal/audit"
	"chatseal/vault"
)

// defaultAuditLimit is how many of the newest events audit prints when
// --limit is not given.
const defaultAuditLimit = 50

func (a *app) auditCommand() *cobra.Command {
	var (
		asJSON bool
		limit  int
		action string
		actor  string
		since  string
	)
	cmd := &cobra.Command{
		Use:   "audit [--json] [--limit N] [--action ACTION] [--actor TEXT] [--since YYYY-MM-DD]",
		Short: "Xem nhật ký kiểm toán / list the audit log",
		Long: `Liệt kê các sự kiện mới nhất của nhật ký kiểm toán, cũ trước mới sau: mỗi lần tìm
kiếm, xem cuộc trò chuyện hoặc tệp đính kèm, lấy bằng chứng, gắn nhãn, thay
đổi khoá, nhập, khôi phục sau sự cố, dựng lại, gộp chỉ mục, kiểm tra, ai làm
và lúc nào. Việc xem
nhật ký cũng được ghi lại. "chatseal audit verify" kiểm tra chuỗi băm của
nhật ký và được ghi lại như một lần kiểm tra (verify).

Lists the newest events of the audit log, oldest first: every search, view of
a conversation or attachment, proof, tag change, key change, import, recovery
after a crash, rebuild, compaction and verify, who did it and when. Reading the log is recorded too.
"chatseal audit verify" checks the log's hash chain and is recorded as a
verify.

Hành động / actions: search, view_conversation, view_attachment, prove, tag,
keys, import, recover, rebuild, compact, verify, read_audit.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				ue := newUserError("USAGE", "--limit phải từ 1 trở lên", "--limit must be at least 1", nil)
				ue.Exit = exitUsage
				return ue
			}
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			q := vault.AuditQuery{Action: audit.Action(action), Actor: actor, Limit: limit}
			if since != "" {
				if q.Since, err = time.ParseInLocation(time.DateOnly, since, vt.Location()); err != nil {
					ue := newUserError("USAGE", "--since cần một ngày dạng 2026-12-31", "--since takes a date like 2026-12-31", err)
					ue.Exit = exitUsage
					return ue
				}
			}
			newest, err := vt.AuditEvents(cmd.Context(), q)
			if errors.Is(err, vault.ErrUnknownAction) {
				names := make([]string, len(audit.Actions))
				for i, a := range audit.Actions {
					names[i] = string(a)
				}
				list := strings.Join(names, ", ")
				ue := newUserError("USAGE", "--action phải là một trong: "+list, "--action must be one of: "+list, err)
				ue.Exit = exitUsage
				return ue
			}
			if err != nil {
				return err
			}
			for _, e := range newest {
				if asJSON {
					writeJSON(a.stdout, e)
					continue
				}
				fmt.Fprintln(a.stdout, auditLine(e, vt.Location()))
			}
			if !asJSON && len(newest) == 0 {
				fmt.Fprintln(a.stdout, "Không có sự kiện nào khớp. / No matching event.")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per event")
	f.IntVar(&limit, "limit", defaultAuditLimit, "print at most this many of the newest matching events")
	f.StringVar(&action, "action", "", "only events of this action, such as search")
	f.StringVar(&actor, "actor", "", "only events whose actor contains this text")
	f.StringVar(&since, "since", "", "only events on or after this day (YYYY-MM-DD, in the tenant's time zone)")

	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Kiểm tra chuỗi băm của nhật ký kiểm toán / check the audit log's hash chain",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			bar := newProgressBar(a.stderr)
			rep, err := vt.VerifyAudit(cmd.Context(), func(done, total int) {
				bar.count("kiểm tra nhật ký / checking audit objects", done, total)
			})
			bar.done()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Nhật ký kiểm toán nguyên vẹn: %d sự kiện trong %d đối tượng.\n", rep.Head.Events, rep.Objects)
			fmt.Fprintf(a.stdout, "Audit log intact: events %d, objects %d.\n", rep.Head.Events, rep.Objects)
			return nil
		},
	})
	return cmd
}

// auditLine formats an event as one line: time, actor, action, outcome,
// count, and the query or the targets.
func auditLine(e audit.Event, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  %s  %s", e.At.In(loc).Format("2006-01-02 15:04:05 -07:00"), e.Actor, e.Action, e.Outcome)
	if e.Results != nil {
		fmt.Fprintf(&b, "  n=%d", *e.Results)
	}
	if e.Query != "" {
		fmt.Fprintf(&b, "  %q", e.Query)
	}
	if len(e.Scope) > 0 {
		fmt.Fprintf(&b, "  scope=%s", strings.Join(e.Scope, ","))
	}
	const shownTargets = 3
	if len(e.Targets) > 0 && e.Action != audit.ActionSearch {
		targets := e.Targets[:min(len(e.Targets), shownTargets)]
		fmt.Fprintf(&b, "  %s", strings.Join(targets, " "))
		if len(e.Targets) > shownTargets {
			fmt.Fprintf(&b, " (+%d)", len(e.Targets)-shownTargets)
		}
	}
	// A search cursor is long and means nothing to a reader.
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		if k != "after" {
			fmt.Fprintf(&b, "  %s=%s", k, e.Details[k])
		}
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "  error: %s", e.Error)
	}
	return b.String()
}
