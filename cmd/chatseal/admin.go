package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"chatseal/archive"
	"chatseal/crypto"
)

func (a *app) verifyCommand() *cobra.Command {
	var asJSON bool
	var since string
	cmd := &cobra.Command{
		Use:   "verify [--json] [--since CHECKPOINT]",
		Short: "Kiểm tra kho còn nguyên vẹn / check that the archive is intact",
		Long: `Đọc lại và giải mã mọi phân đoạn, so với danh mục (số bản ghi, SHA-256, số thứ tự).
Thoát với mã 3 và nêu tên phân đoạn khi có sai lệch.

Re-reads and decrypts every segment and checks it against the catalog (record
counts, SHA-256, sequence numbers). Exits with code 3, naming the segment, on any
mismatch.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			var trusted *archive.Checkpoint
			if since != "" {
				trusted, err = vt.TrustedCheckpoint(cmd.Context(), since)
				if err != nil {
					ue := newUserError("CHECKPOINT_INVALID", "không dùng được checkpoint cho --since", "cannot use the --since checkpoint", err)
					ue.Exit = exitUsage
					return ue
				}
				fmt.Fprintf(a.stdout, "Chỉ kiểm tra phần thêm sau checkpoint %d bản ghi / verifying only what was added after the checkpoint of %d records\n", trusted.Size, trusted.Size)
			}
			bar := newProgressBar(a.stderr)
			started := time.Now()
			rep, err := vt.VerifySince(cmd.Context(), trusted, func(done, total int) {
				bar.count("kiểm tra / verifying segments", done, total)
			})
			bar.done()
			if err != nil {
				return newUserError("VERIFY_FAILED", "không chạy được kiểm tra", "verify could not run", err)
			}
			if asJSON {
				writeJSON(a.stdout, rep)
			} else {
				for _, p := range rep.Problems {
					fmt.Fprintf(a.stdout, "HỎNG / DAMAGED  %s\n", p)
				}
				fmt.Fprintf(a.stdout, "Đã kiểm tra: %d phân đoạn, %d tin nhắn, %s, trong %s.\n", rep.Segments, rep.Messages, humanBytes(rep.Bytes), time.Since(started).Round(time.Millisecond))
				fmt.Fprintf(a.stdout, "Checked: segments %d, messages %d, %s, in %s.\n", rep.Segments, rep.Messages, humanBytes(rep.Bytes), time.Since(started).Round(time.Millisecond))
			}
			if !rep.OK() {
				ue := newUserError("ARCHIVE_DAMAGED", fmt.Sprintf("kho có sai lệch: %d (xem danh sách ở trên)", len(rep.Problems)), fmt.Sprintf("problems found in the archive: %d (listed above)", len(rep.Problems)), nil)
				ue.Exit = exitDamaged
				return ue
			}
			if !asJSON {
				fmt.Fprintln(a.stdout, "Kho nguyên vẹn. / The archive is intact.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	cmd.Flags().StringVar(&since, "since", "", "verify only what was added after a trusted checkpoint: its tree size, or a saved checkpoint .note file")
	return cmd
}

func (a *app) rebuildCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rebuild",
		Short: "Dựng lại danh mục và chỉ mục từ kho / recreate the catalog and index from the archive",
		Long: `Xoá danh mục và chỉ mục tìm kiếm rồi dựng lại chỉ từ kho lưu trữ và khoá.

Deletes the catalog and the search index and recreates both from the archive and
the keys alone.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			bar := newProgressBar(a.stderr)
			started := time.Now()
			rep, err := vt.Rebuild(cmd.Context(), func(done, total int) {
				bar.count("dựng lại / rebuilding segments", done, total)
			})
			bar.done()
			if err != nil {
				return newUserError("REBUILD_FAILED", "dựng lại thất bại; chạy lại lệnh rebuild", "rebuild failed; run rebuild again", err)
			}
			fmt.Fprintf(a.stdout, "Đã dựng lại: %d phân đoạn, %d tin nhắn (%s).\n", rep.Segments, rep.Messages, time.Since(started).Round(time.Millisecond))
			fmt.Fprintf(a.stdout, "Rebuilt: segments %d, messages %d (%s).\n", rep.Segments, rep.Messages, time.Since(started).Round(time.Millisecond))
			return nil
		},
	}
	return cmd
}

func (a *app) keysCommand() *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "Quản lý khoá mã hoá / manage archive keys",
	}
	keys.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "In các khoá công khai mà kho mã hoá tới / print the recipients the archive encrypts to",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Join(a.v.GetString(keyData), "keys")
			if _, err := os.Stat(a.v.GetString(keyData)); err != nil {
				return newUserError("NO_DATA_FOLDER", "chưa có thư mục dữ liệu; chạy import hoặc demo trước", "there is no data folder yet; run import or demo first", err)
			}
			kr, err := crypto.Load(dir)
			if err != nil {
				return newUserError("KEYS_UNREADABLE", "không đọc được khoá", "cannot read the keys", err)
			}
			fmt.Fprintf(a.stdout, "Thư mục khoá / keys folder: %s\n", dir)
			fmt.Fprintln(a.stdout, "Người nhận age (mọi phân đoạn được mã hoá tới cả hai) / age recipients (every segment is encrypted to both):")
			for _, r := range kr.Recipients() {
				label := "chính / primary"
				if r.Role == "recovery" {
					label = "khôi phục / recovery"
				}
				fmt.Fprintf(a.stdout, "  %-21s %s\n", label, r.PublicKey)
			}
			if _, vkey, err := crypto.LoadSigner(dir); err == nil {
				fmt.Fprintln(a.stdout, "Khoá công khai kiểm tra checkpoint (Ed25519, signed note) / checkpoint public key:")
				fmt.Fprintf(a.stdout, "  %s\n", vkey)
			}
			return nil
		},
	})
	return keys
}
