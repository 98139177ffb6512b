package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"chatseal/archive"
	"chatseal/vault"
)

func (a *app) attachmentCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "attachment SHA256 --out FILE",
		Short: "Lấy tệp đính kèm ra khỏi kho / write an archived attachment to a file",
		Long: `Giải mã tệp đính kèm có mã SHA-256 đã cho (xem bằng "show") và ghi ra tệp.
Nội dung được kiểm tra với SHA-256 trong lúc đọc; nếu không khớp, tệp ra bị xoá.

Decrypts the attachment with the given SHA-256 (shown by "show") into a file.
The bytes are checked against the SHA-256 while they are read; on a mismatch the
output file is removed.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				ue := newUserError("USAGE", "thiếu --out (tệp để ghi ra)", "--out is required (the file to write)", nil)
				ue.Exit = exitUsage
				return ue
			}
			// show prints the sum as "sha256:HEX"; either form is accepted.
			sum := strings.ToLower(strings.TrimPrefix(args[0], "sha256:"))
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			// The output is created before the attachment is opened, whose
			// opening is an audit event, so that a bad --out reads nothing.
			f, err := createOutput(out)
			if err != nil {
				return err
			}
			rc, err := vt.OpenAttachment(cmd.Context(), sum)
			if errors.Is(err, archive.ErrNotExist) {
				ue := newUserError("ATTACHMENT_NOT_FOUND", "không có tệp đính kèm "+args[0]+" trong kho", "attachment "+args[0]+" is not in the archive", err)
				ue.Exit = exitNotFound
				f.Close()
				os.Remove(out)
				return ue
			}
			if errors.Is(err, vault.ErrAudit) {
				f.Close()
				os.Remove(out)
				return err
			}
			if err != nil {
				ue := newUserError("ATTACHMENT_INVALID", "không đọc được tệp đính kèm "+args[0]+"; cần đủ 64 chữ số hex của SHA-256 như show hoặc search --json in ra", "cannot read attachment "+args[0]+"; give all 64 hex digits of the SHA-256 as show or search --json prints them", err)
				ue.Exit = exitUsage
				f.Close()
				os.Remove(out)
				return ue
			}
			defer rc.Close()
			n, err := io.Copy(f, rc)
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(out)
				return newUserError("ATTACHMENT_DAMAGED", "tệp đính kèm hỏng hoặc không khớp SHA-256; đã xoá "+out+"; hãy chạy verify", "the attachment is damaged or does not match its SHA-256; removed "+out+"; run verify", err)
			}
			fmt.Fprintf(a.stdout, "Đã ghi %d byte vào %s / wrote %d bytes to %s\n", n, out, n, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (must not exist)")
	return cmd
}

// createOutput creates the output file path for a command's result, which
// must not exist yet: evidence is never written over another file.
func createOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		ue := newUserError("OUTPUT_EXISTS", path+" đã tồn tại; chọn tên tệp khác, lệnh không ghi đè", path+" exists already; choose another file name, the command never overwrites", err)
		ue.Exit = exitUsage
		return nil, ue
	case err != nil:
		ue := newUserError("OUTPUT_UNWRITABLE", "không tạo được "+path+"; kiểm tra thư mục chứa và quyền ghi", "cannot create "+path+"; check that its folder exists and is writable", err)
		ue.Exit = exitUsage
		return nil, ue
	}
	return f, nil
}
