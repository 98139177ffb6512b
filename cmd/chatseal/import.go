package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chatseal/ingest"
	"chatseal/ingest/sources"
	"chatseal/vault"
)

func (a *app) importCommand() *cobra.Command {
	var req vault.ImportRequest
	var asJSON, dryRun, noCompact bool
	var timezone string
	cmd := &cobra.Command{
		Use:   "import --source SOURCE --account ACCOUNT [flags] INPUT...",
		Short: "Nhập lịch sử trò chuyện vào kho / import chat history into the archive",
		Long: `Nhập tệp xuất trò chuyện. Tin nhắn đã có trong kho sẽ không được lưu lại lần nữa;
dòng không đọc được sẽ được cách ly kèm lý do, phần còn lại vẫn được nhập.

Imports chat export files. Messages already archived are not stored twice; a line
that cannot be parsed is quarantined with its reason, and the rest still imports.

` + sourceHelp(),
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Inputs = args
			if req.Account == "" {
				ue := newUserError("ACCOUNT_REQUIRED", "thiếu --account (tài khoản được lưu trữ, ví dụ cskh-hn-01)", "--account is required (the archived account, e.g. cskh-hn-01)", nil)
				ue.Exit = exitUsage
				return ue
			}
			if err := checkImportInput(req); err != nil {
				return err
			}
			if timezone != "" {
				loc, err := time.LoadLocation(timezone)
				if err != nil {
					ue := newUserError("TIMEZONE_UNKNOWN", fmt.Sprintf("không biết múi giờ %q; dùng tên IANA như Asia/Ho_Chi_Minh", timezone), fmt.Sprintf("unknown time zone %q; use an IANA name such as Asia/Ho_Chi_Minh", timezone), err)
					ue.Exit = exitUsage
					return ue
				}
				req.Location = loc
			}
			switch req.DateOrder {
			case "", "auto":
				req.DateOrder = ""
			case "dmy", "mdy", "ymd":
			default:
				ue := newUserError("DATE_ORDER_UNKNOWN", fmt.Sprintf("--date-order %q không hợp lệ; dùng auto, dmy, mdy hoặc ymd", req.DateOrder), fmt.Sprintf("--date-order %q is not valid; use auto, dmy, mdy or ymd", req.DateOrder), nil)
				ue.Exit = exitUsage
				return ue
			}
			if dryRun {
				cfg, err := vaultConfig(a.v, a.stderr)
				if err != nil {
					ue := newUserError("CONFIG_INVALID", "cấu hình không hợp lệ", "invalid configuration", err)
					ue.Exit = exitUsage
					return ue
				}
				bar := newProgressBar(a.stderr)
				started := time.Now()
				sum, err := vault.DryRunImport(cmd.Context(), req, cfg.Location, func(p vault.ImportProgress) {
					bar.update(p.File, p.BytesRead, p.FileBytes, p.Read)
				})
				bar.done()
				if sum != nil {
					a.printImportSummary(sum, time.Since(started), asJSON)
				}
				if errors.Is(err, vault.ErrInputUnreadable) {
					ue := newUserError("INPUT_UNREADABLE", "không đọc được đầu vào theo định dạng của nguồn đã chọn (sai --source, tệp zip hỏng hoặc tệp bị cắt); xem chi tiết bên dưới. Đây là lần chạy thử nên không có gì được lưu", "the input cannot be read in the chosen source's format (wrong --source, damaged zip or a cut file); see the detail below. This was a dry run, so nothing was stored", err)
					ue.Exit = exitUsage
					return ue
				}
				if err != nil {
					return newUserError("IMPORT_FAILED", "không đọc hết được đầu vào", "the input could not be read to the end", err)
				}
				return nil
			}
			if req.AccountUID == "" && req.Source == "zalo" {
				fmt.Fprintf(a.stderr, "Lưu ý: chưa có --account-uid; tài khoản được lưu trữ sẽ mang uid %q như trong tệp. / Note: no --account-uid; the archived account keeps the uid %q the input gives it.\n", "0", "0")
			}
			vt, err := a.openVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()

			bar := newProgressBar(a.stderr)
			started := time.Now()
			sum, err := vt.Import(cmd.Context(), req, func(p vault.ImportProgress) {
				bar.update(p.File, p.BytesRead, p.FileBytes, p.Read)
			})
			bar.done()
			if sum != nil {
				a.printImportSummary(sum, time.Since(started), asJSON)
			}
			if errors.Is(err, vault.ErrInputUnreadable) {
				return classify(err)
			}
			if err != nil {
				return newUserError("IMPORT_FAILED", "nhập dữ liệu bị dừng giữa chừng; tin nhắn đã xác nhận vẫn an toàn, hãy chạy lại lệnh", "the import stopped; acknowledged messages are safe, run the command again", err)
			}
			if noCompact {
				return nil
			}
			_, err = a.compactIndex(cmd.Context(), vt, !asJSON)
			return err
		},
	}
	cmd.Flags().StringVar(&req.Source, "source", "zalo", "input format: "+strings.Join(vault.ImportSources(), ", "))
	cmd.Flags().StringVar(&req.Account, "account", "", "archived account the inputs belong to, e.g. cskh-hn-01 (required)")
	cmd.Flags().StringVar(&req.AccountUID, "account-uid", "", `platform id of the archived account (Zalo capture files write it as "0"; the OA id for zalo_oa)`)
	cmd.Flags().StringVar(&req.Conversation, "conversation", "", "conversation name for an export without chat ids (whatsapp); default: from the file name")
	cmd.Flags().StringVar(&req.SelfName, "self-name", "", "display name of the archived account in exports without ids (whatsapp, messenger)")
	cmd.Flags().StringVar(&req.DateOrder, "date-order", "auto", "date order of a whatsapp export: auto, dmy, mdy or ymd")
	cmd.Flags().StringVar(&timezone, "timezone", "", "IANA zone of local times in the input (whatsapp); default: the tenant's zone")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "parse and report counts and warnings without storing anything")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	cmd.Flags().BoolVar(&noCompact, "no-compact", false, "skip merging the index of past quarters afterwards (run chatseal compact after the last import)")
	return cmd
}

// sourceHelp lists the sources and what each reads.
func sourceHelp() string {
	var b strings.Builder
	b.WriteString("Nguồn / sources:\n")
	for _, name := range vault.ImportSources() {
		s, _ := sources.Lookup(name)
		fmt.Fprintf(&b, "  %-10s %s / %s\n", name, s.InputsVI, s.Inputs)
	}
	return b.String()
}

// checkImportInput rejects a request that cannot start, before the data
// folder is opened: an unknown source, a missing input or a folder given
// to a source that reads files.
func checkImportInput(req vault.ImportRequest) error {
	if !slices.Contains(vault.ImportSources(), req.Source) {
		list := strings.Join(vault.ImportSources(), ", ")
		ue := newUserError("SOURCE_UNKNOWN", fmt.Sprintf("nguồn %q không được hỗ trợ; dùng một trong các nguồn: %s", req.Source, list), fmt.Sprintf("source %q is not supported; use one of: %s", req.Source, list), nil)
		ue.Exit = exitUsage
		return ue
	}
	src, _ := sources.Lookup(req.Source)
	for _, f := range req.Inputs {
		info, err := os.Stat(f)
		if err != nil {
			ue := newUserError("INPUT_NOT_FOUND", "không mở được tệp đầu vào "+f+"; kiểm tra lại đường dẫn", "cannot open input file "+f+"; check the path", err)
			ue.Exit = exitUsage
			return ue
		}
		if info.IsDir() && !src.Folders {
			ue := newUserError("INPUT_IS_FOLDER", f+" là thư mục; hãy chỉ ra từng tệp", f+" is a folder; name the files in it", nil)
			ue.Exit = exitUsage
			return ue
		}
	}
	return nil
}

func (a *app) printImportSummary(sum *vault.ImportSummary, took time.Duration, asJSON bool) {
	if asJSON {
		writeJSON(a.stdout, sum)
	} else if sum.DryRun {
		fmt.Fprintf(a.stdout, "Chạy thử, không lưu gì: đọc %d tin nhắn, sẽ lưu %d, trùng trong đầu vào %d, không đọc được %d, có cảnh báo %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
		fmt.Fprintf(a.stdout, "Dry run, nothing stored. Messages read: %d; to store %d, repeated in the input %d, unreadable items %d, messages with warnings %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(a.stdout, "Đã đọc %d tin nhắn: lưu mới %d, trùng %d, cách ly %d, tin có cảnh báo %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
		fmt.Fprintf(a.stdout, "Messages read: %d; stored %d, duplicates %d, quarantined %d, messages with warnings %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
	}
	if !asJSON && sum.Unreadable != "" {
		fmt.Fprintf(a.stdout, "Không đọc được tệp %s theo định dạng của nguồn; xem lỗi bên dưới.\n", sum.Unreadable)
		fmt.Fprintf(a.stdout, "Could not read %s in the source's format; see the error below.\n", sum.Unreadable)
	}
	if !asJSON {
		a.printAttachmentsAndWarnings(sum)
	}
	if len(sum.NotImported) > 0 {
		list := strings.Join(sum.NotImported, ", ")
		fmt.Fprintf(a.stderr, "Chưa nhập các tệp sau vì lệnh dừng trước chúng; hãy nhập lại chúng sau khi xử lý tệp bị lỗi bên dưới: %s\n", list)
		fmt.Fprintf(a.stderr, "Not imported, because the import stopped before them; import them again once the file named below is dealt with: %s\n", list)
	}
	if sum.Quarantined == 0 {
		return
	}
	fmt.Fprintf(a.stderr, "Các dòng bị cách ly / quarantined lines (%d):\n", sum.Quarantined)
	for _, b := range sum.BadRecords {
		fmt.Fprintf(a.stderr, "  %s\n", b.Error())
	}
	if int64(len(sum.BadRecords)) < sum.Quarantined {
		fmt.Fprintf(a.stderr, "  … và %d dòng nữa / and %d more\n", sum.Quarantined-int64(len(sum.BadRecords)), sum.Quarantined-int64(len(sum.BadRecords)))
	}
	if sum.AlreadyQuarantined > 0 {
		fmt.Fprintf(a.stderr, "  %d dòng đã có trong khu cách ly từ lần nhập trước, không lưu lại / already quarantined by an earlier import and not stored again: %d\n", sum.AlreadyQuarantined, sum.AlreadyQuarantined)
	}
	if len(sum.QuarantineObjects) > 0 {
		fmt.Fprintf(a.stderr, "Lưu trong kho (đã mã hoá) / kept in the archive (encrypted): %s\n", strings.Join(sum.QuarantineObjects, ", "))
	}
}

func (a *app) printAttachmentsAndWarnings(sum *vault.ImportSummary) {
	at := sum.Attachments
	if at.Stored+at.Deduplicated+at.Missing > 0 {
		if sum.DryRun {
			fmt.Fprintf(a.stdout, "Tệp đính kèm: có trong đầu vào %d, thiếu %d.\n", at.Stored, at.Missing)
			fmt.Fprintf(a.stdout, "Attachments: %d in the input, %d missing.\n", at.Stored, at.Missing)
		} else {
			fmt.Fprintf(a.stdout, "Tệp đính kèm: lưu mới %d (%d byte sau khi mã hoá), đã có %d, thiếu trong bản xuất %d.\n", at.Stored, at.Bytes, at.Deduplicated, at.Missing)
			fmt.Fprintf(a.stdout, "Attachments: stored %d (%d bytes encrypted), already archived %d, missing from the export %d.\n", at.Stored, at.Bytes, at.Deduplicated, at.Missing)
		}
	}
	if len(sum.WarningCodes) == 0 {
		return
	}
	codes := make([]string, 0, len(sum.WarningCodes))
	for c := range sum.WarningCodes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	fmt.Fprintf(a.stderr, "Cảnh báo theo mã / warnings by code:\n")
	for _, c := range codes {
		fmt.Fprintf(a.stderr, "  %-30s %d\n", c, sum.WarningCodes[c])
	}
	for _, w := range sum.InputWarnings {
		fmt.Fprintf(a.stderr, "  %s\n", describeWarning(w))
	}
}

// describeWarning writes an input-level warning as one line: where, then
// the code and what it is about. It never holds message text.
func describeWarning(w ingest.Warning) string {
	var b strings.Builder
	b.WriteString(w.File)
	switch {
	case w.Line > 0:
		fmt.Fprintf(&b, ":%d", w.Line)
	case w.Index > 0:
		fmt.Fprintf(&b, " [%d]", w.Index)
	}
	fmt.Fprintf(&b, ": %s", w.Code)
	if w.SourceID != "" {
		fmt.Fprintf(&b, " message %s", w.SourceID)
	}
	if w.Field != "" {
		fmt.Fprintf(&b, " field %q", w.Field)
	}
	if w.Count > 1 {
		fmt.Fprintf(&b, " ×%d", w.Count)
	}
	if w.Detail != "" {
		b.WriteString(" (" + w.Detail + ")")
	}
	return b.String()
}
