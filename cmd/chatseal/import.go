package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chatseal/vault"
)

func (a *app) importCommand() *cobra.Command {
	var req vault.ImportRequest
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import --source zalo|jsonl --account ACCOUNT [--account-uid UID] FILE...",
		Short: "Nhập lịch sử trò chuyện vào kho / import chat history into the archive",
		Long: `Nhập tệp xuất trò chuyện. Tin nhắn đã có trong kho sẽ không được lưu lại lần nữa;
dòng không đọc được sẽ được cách ly kèm lý do, phần còn lại vẫn được nhập.

Imports chat export files. Messages already archived are not stored twice; a line
that cannot be parsed is quarantined with its reason, and the rest still imports.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Files = args
			if req.Account == "" {
				ue := newUserError("ACCOUNT_REQUIRED", "thiếu --account (tài khoản được lưu trữ, ví dụ cskh-hn-01)", "--account is required (the archived account, e.g. cskh-hn-01)", nil)
				ue.Exit = exitUsage
				return ue
			}
			if err := checkImportInput(req); err != nil {
				return err
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
			if err != nil {
				return newUserError("IMPORT_FAILED", "nhập dữ liệu bị dừng giữa chừng; tin nhắn đã xác nhận vẫn an toàn, hãy chạy lại lệnh", "the import stopped; acknowledged messages are safe, run the command again", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Source, "source", "zalo", "input format: zalo (zca-js capture) or jsonl (chatseal records)")
	cmd.Flags().StringVar(&req.Account, "account", "", "archived account the files belong to, e.g. cskh-hn-01 (required)")
	cmd.Flags().StringVar(&req.AccountUID, "account-uid", "", `platform id of the archived account (Zalo capture files write it as "0")`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	return cmd
}

// checkImportInput rejects a request that cannot start, before the data
// folder is opened: an unknown source, a missing file or a folder.
func checkImportInput(req vault.ImportRequest) error {
	if !slices.Contains(vault.ImportSources(), req.Source) {
		list := strings.Join(vault.ImportSources(), ", ")
		ue := newUserError("SOURCE_UNKNOWN", fmt.Sprintf("nguồn %q không được hỗ trợ; dùng một trong các nguồn: %s", req.Source, list), fmt.Sprintf("source %q is not supported; use one of: %s", req.Source, list), nil)
		ue.Exit = exitUsage
		return ue
	}
	for _, f := range req.Files {
		info, err := os.Stat(f)
		if err != nil {
			ue := newUserError("INPUT_NOT_FOUND", "không mở được tệp đầu vào "+f+"; kiểm tra lại đường dẫn", "cannot open input file "+f+"; check the path", err)
			ue.Exit = exitUsage
			return ue
		}
		if info.IsDir() {
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
	} else {
		fmt.Fprintf(a.stdout, "Đã đọc %d tin nhắn: lưu mới %d, trùng %d, cách ly %d, cảnh báo %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
		fmt.Fprintf(a.stdout, "Messages read: %d; stored %d, duplicates %d, quarantined %d, with warnings %d (%s).\n",
			sum.Read, sum.Stored, sum.Duplicates, sum.Quarantined, sum.Warnings, took.Round(time.Millisecond))
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
		fmt.Fprintf(a.stderr, "  %d dòng đã có trong khu cách ly từ lần nhập trước, không lưu lại / %d lines were already quarantined by an earlier import and were not stored again\n", sum.AlreadyQuarantined, sum.AlreadyQuarantined)
	}
	if len(sum.QuarantineObjects) > 0 {
		fmt.Fprintf(a.stderr, "Lưu trong kho (đã mã hoá) / kept in the archive (encrypted): %s\n", strings.Join(sum.QuarantineObjects, ", "))
	}
}
