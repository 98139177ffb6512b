package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"chatseal/vault"
)

// demoSample is an invented Zalo capture of a small clothes shop: every
// name, id, number and URL in it is made up.
//
//go:embed demo/shop-hoa-mai.jsonl
var demoSample []byte

const (
	demoAccount    = "shop-hoa-mai"
	demoAccountUID = "8190000000000000001"
	demoMarker     = ".chatseal-demo"
	demoCustomer   = "7711000000000000001"
)

func (a *app) demoCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Chạy thử trên dữ liệu mẫu / try chatseal on an invented sample",
		Long: `Tạo một thư mục dữ liệu mới (mặc định ./chatseal-demo), nhập một đoạn hội thoại Zalo mẫu
(hoàn toàn hư cấu), rồi tìm kiếm, xem hội thoại và kiểm tra kho.

Creates a fresh data folder (./chatseal-demo by default), imports an invented Zalo
sample, then searches it, shows a conversation and verifies the archive.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := freshDemoDir(dir); err != nil {
				return err
			}
			a.v.Set(keyData, dir)
			a.v.Set(keyStorageKind, "fs")
			vt, err := a.openVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()

			sample := filepath.Join(dir, "sample", "shop-hoa-mai.jsonl")
			if err := os.MkdirAll(filepath.Dir(sample), 0o700); err != nil {
				return newUserError("DEMO_FAILED", "không tạo được tệp mẫu", "cannot write the sample file", err)
			}
			if err := os.WriteFile(sample, demoSample, 0o600); err != nil {
				return newUserError("DEMO_FAILED", "không tạo được tệp mẫu", "cannot write the sample file", err)
			}

			a.step("1", "Nhập hội thoại Zalo mẫu", "Import the sample Zalo capture",
				fmt.Sprintf("chatseal --data %s import --source zalo --account %s --account-uid %s %s", dir, demoAccount, demoAccountUID, sample))
			sum, err := vt.Import(cmd.Context(), vault.ImportRequest{Source: "zalo", Account: demoAccount, AccountUID: demoAccountUID, Inputs: []string{sample}}, nil)
			if err != nil {
				return newUserError("DEMO_FAILED", "nhập dữ liệu mẫu thất bại", "importing the sample failed", err)
			}
			fmt.Fprintf(a.stdout, "   lưu mới / stored %d, trùng / duplicates %d, cách ly / quarantined %d\n", sum.Stored, sum.Duplicates, sum.Quarantined)

			for i, q := range []string{"khoa the", "khiếu nại"} {
				a.step(fmt.Sprint(2+i), "Tìm \""+q+"\" (có dấu hay không đều được)", "Search \""+q+"\" (with or without diacritics)",
					fmt.Sprintf("chatseal --data %s search %q", dir, q))
				res, err := vt.Search(cmd.Context(), q, 10, 0)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "   %d kết quả / results\n", res.Total)
				for _, h := range res.Hits {
					fmt.Fprintf(a.stdout, "   %s  %s  %s\n", h.SentAt.Format("2006-01-02 15:04"), senderLabel(h.Sender, h.Direction), oneLine(h.Text, h.Kind))
				}
			}

			a.step("4", "Xem cả hội thoại, kể cả tin đã thu hồi", "Show the whole conversation, recalled messages included",
				fmt.Sprintf("chatseal --data %s show %s", dir, demoCustomer))
			th, err := vt.Show(cmd.Context(), demoCustomer, "")
			if err != nil {
				return err
			}
			for _, m := range th.Messages {
				a.printThreadMessage(m)
			}

			a.step("5", "Kiểm tra kho", "Verify the archive", fmt.Sprintf("chatseal --data %s verify", dir))
			rep, err := vt.Verify(cmd.Context(), nil)
			if err != nil {
				return err
			}
			if !rep.OK() {
				for _, p := range rep.Problems {
					fmt.Fprintf(a.stdout, "   HỎNG / DAMAGED %s\n", p)
				}
				return newUserError("ARCHIVE_DAMAGED", "kho mẫu có sai lệch", "the demo archive has problems", nil)
			}
			fmt.Fprintf(a.stdout, "   %d phân đoạn / segments, %d tin nhắn / messages: nguyên vẹn / intact\n", rep.Segments, rep.Messages)

			fmt.Fprintf(a.stdout, "\nXong. Thử tiếp / Done. Try next:\n  chatseal --data %s search 'from:%s after:2026-05-29'\n  chatseal --data %s stats\n  chatseal --data %s keys show\n  chatseal --data %s audit\n", dir, demoCustomer, dir, dir, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "./chatseal-demo", "data folder for the demo; replaced if it holds an earlier demo")
	return cmd
}

func (a *app) step(n, vi, en, command string) {
	fmt.Fprintf(a.stdout, "\n%s. %s / %s\n   $ %s\n", n, vi, en, command)
}

// freshDemoDir empties dir when an earlier demo made it, creates it, and
// refuses to touch a folder that chatseal demo did not create.
func freshDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return newUserError("DEMO_FAILED", "không đọc được thư mục "+dir, "cannot read folder "+dir, err)
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			ue := newUserError("DEMO_DIR_IN_USE", "thư mục "+dir+" đã có dữ liệu không phải của demo; chọn thư mục khác bằng --dir", "folder "+dir+" holds data that is not an earlier demo; pick another with --dir", nil)
			ue.Exit = exitUsage
			return ue
		}
		if err := os.RemoveAll(dir); err != nil {
			return newUserError("DEMO_FAILED", "không xoá được bản demo cũ ở "+dir, "cannot remove the earlier demo in "+dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return newUserError("DEMO_FAILED", "không tạo được thư mục "+dir, "cannot create folder "+dir, err)
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("created by chatseal demo; safe to delete\n"), 0o600)
}
