package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chatseal/archive"
	"chatseal/crypto"
	"chatseal/index"
	"chatseal/vault"
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
			vt, err := a.openExistingVault(cmd.Context())
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
				fmt.Fprintf(a.stdout, "Chỉ kiểm tra phần được thêm sau checkpoint có %d bản ghi / verifying only what was added after the checkpoint of %d records\n", trusted.Size, trusted.Size)
			}
			bar := newProgressBar(a.stderr)
			started := time.Now()
			rep, err := vt.VerifySince(cmd.Context(), trusted, func(done, total int) {
				bar.count("kiểm tra / verifying segments", done, total)
			})
			bar.done()
			if errors.Is(err, vault.ErrAudit) {
				return err
			}
			if err != nil {
				return newUserError("VERIFY_FAILED", "không chạy được kiểm tra", "verify could not run", err)
			}
			if asJSON {
				writeJSON(a.stdout, rep)
			} else {
				for _, p := range rep.Problems {
					fmt.Fprintf(a.stdout, "HỎNG / DAMAGED  %s\n", p)
				}
				fmt.Fprintf(a.stdout, "Đã kiểm tra: %d phân đoạn, %d tin nhắn, %d tệp đính kèm, %d sự kiện kiểm toán, %s, trong %s.\n", rep.Segments, rep.Messages, rep.Attachments, rep.AuditEvents, humanBytes(rep.Bytes), time.Since(started).Round(time.Millisecond))
				fmt.Fprintf(a.stdout, "Checked: segments %d, messages %d, attachments %d, audit events %d, %s, in %s.\n", rep.Segments, rep.Messages, rep.Attachments, rep.AuditEvents, humanBytes(rep.Bytes), time.Since(started).Round(time.Millisecond))
			}
			if !rep.OK() {
				ue := newUserError("ARCHIVE_DAMAGED", fmt.Sprintf("phát hiện %d chỗ sai lệch trong kho (xem danh sách ở trên)", len(rep.Problems)), fmt.Sprintf("problems found in the archive: %d (listed above)", len(rep.Problems)), nil)
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
			vt, err := a.openExistingVault(cmd.Context())
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
				return newUserError("REBUILD_FAILED", "dựng lại thất bại; danh mục và chỉ mục cũ vẫn giữ nguyên. Chạy chatseal verify để xem phân đoạn hỏng, rồi khôi phục phân đoạn đó từ bản sao lưu", "rebuild failed; the previous catalog and index are kept. Run chatseal verify to see the damaged segment, then restore it from a backup", err)
			}
			fmt.Fprintf(a.stdout, "Đã dựng lại: %d phân đoạn, %d tin nhắn (%s).\n", rep.Segments, rep.Messages, time.Since(started).Round(time.Millisecond))
			fmt.Fprintf(a.stdout, "Rebuilt: segments %d, messages %d (%s).\n", rep.Segments, rep.Messages, time.Since(started).Round(time.Millisecond))
			_, err = a.compactIndex(cmd.Context(), vt, true)
			return err
		},
	}
	return cmd
}

func (a *app) compactCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Gộp chỉ mục của các quý đã qua / merge the search index of past quarters",
		Long: `Gộp chỉ mục tìm kiếm của mỗi quý đã kết thúc thành một phần duy nhất để tìm
kiếm nhanh hơn. Lệnh import và rebuild tự làm việc này; chỉ cần chạy tay sau
khi nhập với --no-compact. Không thay đổi tin nhắn nào.

Merges the search index of each quarter that has ended into one part, so that
searches read fewer parts. import and rebuild do this themselves; run it by hand
only after imports with --no-compact. No message changes.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			merged, err := a.compactIndex(cmd.Context(), vt, true)
			if err == nil && len(merged) == 0 {
				fmt.Fprintln(a.stdout, "Chỉ mục không có quý nào cần gộp. / No quarter of the index needed merging.")
			}
			return err
		},
	}
}

// compactIndex merges the index of past quarters with a progress counter,
// and reports what it merged when report is set.
func (a *app) compactIndex(ctx context.Context, vt *vault.Vault, report bool) ([]string, error) {
	bar := newProgressBar(a.stderr)
	started := time.Now()
	merged, err := vt.CompactIndex(ctx, func(p index.CompactProgress) {
		bar.count("gộp chỉ mục / compacting index", p.Done, p.Total)
	})
	bar.done()
	if err != nil {
		return merged, newUserError("COMPACT_FAILED", "gộp chỉ mục thất bại; tin nhắn vẫn an toàn và tìm kiếm vẫn chạy. Chạy lại chatseal compact", "merging the index failed; messages are safe and search still works. Run chatseal compact again", err)
	}
	if !report || len(merged) == 0 {
		return merged, nil
	}
	took := time.Since(started).Round(time.Millisecond)
	fmt.Fprintf(a.stdout, "Đã gộp chỉ mục: %d quý (%s).\n", len(merged), took)
	fmt.Fprintf(a.stdout, "Index merged: quarters %d (%s).\n", len(merged), took)
	return merged, nil
}

func (a *app) keysCommand() *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "Quản lý khoá mã hoá / manage archive keys",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRunE,
	}
	keys.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "In các khoá công khai mà kho mã hoá cho / print the recipients the archive encrypts to",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.requireKeys(); err != nil {
				return err
			}
			dir := a.keysDir()
			kr, err := crypto.LoadWith(dir, a.passphrase())
			if errors.Is(err, crypto.ErrPassphrase) {
				// The public keys do not need the passphrase.
				kr, err = crypto.LoadPublic(dir)
			}
			if err != nil {
				return newUserError("KEYS_UNREADABLE", "không đọc được khoá", "cannot read the keys", err)
			}
			fmt.Fprintf(a.stdout, "Thư mục khoá / keys folder: %s\n", dir)
			fmt.Fprintln(a.stdout, "Người nhận age (mọi phân đoạn mới được mã hoá cho tất cả các khoá dưới đây) / age recipients (every new segment is encrypted to all keys below):")
			for _, r := range kr.Recipients() {
				label := r.Role
				switch r.Role {
				case "primary":
					label = "chính / primary"
				case "recovery":
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
	keys.AddCommand(a.keysRotateCommand(), a.keysAddRecipientCommand(), a.keysProtectCommand())
	return keys
}

func (a *app) keysDir() string { return filepath.Join(a.v.GetString(keyData), "keys") }

// requireKeys fails with NO_ARCHIVE, as the commands that open the archive
// do, when the data folder contains no archive keys.
func (a *app) requireKeys() error {
	if crypto.Exists(a.keysDir()) {
		return nil
	}
	return noArchiveError(a.v.GetString(keyData), nil)
}

func (a *app) keysRotateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate",
		Short: "Tạo khoá chính mới cho các phân đoạn mới / make a new primary key for new segments",
		Long: `Tạo khoá age chính mới. Khoá cũ chuyển vào keys/retired/ và vẫn đọc được các phân đoạn cũ.
Hãy sao lưu lại thư mục khoá sau khi xoay khoá.

Makes a new primary age key. The old one moves to keys/retired/ and still reads the
older segments. Back up the keys folder again after rotating.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			retired, err := crypto.Rotate(a.keysDir(), a.passphrase())
			if err := vt.RecordKeyChange(cmd.Context(), "rotate", map[string]string{"retired": retired}, err); errors.Is(err, vault.ErrAudit) {
				return err
			}
			if err != nil {
				return newUserError("ROTATE_FAILED", "không xoay được khoá", "cannot rotate the key", err)
			}
			fmt.Fprintf(a.stdout, "Đã tạo khoá chính mới; khoá cũ được giữ ở %s. Hãy sao lưu lại thư mục khoá.\n", retired)
			fmt.Fprintf(a.stdout, "New primary key created; the old one is kept as %s. Back up the keys folder again.\n", retired)
			return nil
		},
	}
}

func (a *app) keysAddRecipientCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "add-recipient [--name NAME] AGE_PUBLIC_KEY",
		Short: "Mã hoá thêm cho một khoá công khai (ví dụ khoá của bên giữ hộ) / also encrypt to a public key (for example an escrow key)",
		Long: `Thêm một khoá công khai age (age1...) mà mọi phân đoạn mới cũng được mã hoá cho, ví dụ khoá
do luật sư của công ty giữ ngoại tuyến. Phân đoạn đã ghi không thay đổi.

Adds an age public key (age1...) that every new segment is also encrypted to, for
example a key the company's lawyer keeps offline. Segments already written are not
changed.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			err = crypto.AddRecipient(a.keysDir(), args[0], name)
			if err := vt.RecordKeyChange(cmd.Context(), "add_recipient", map[string]string{"recipient": args[0], "name": name}, err); errors.Is(err, vault.ErrAudit) {
				return err
			}
			if err != nil {
				ue := newUserError("RECIPIENT_INVALID", "không thêm được khoá công khai", "cannot add the recipient", err)
				ue.Exit = exitUsage
				return ue
			}
			fmt.Fprintf(a.stdout, "Đã thêm; các phân đoạn mới sẽ được mã hoá cho cả %s.\nAdded; new segments will also be encrypted to %s.\n", args[0], args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "label kept beside the key, e.g. \"luật sư / lawyer\"")
	return cmd
}

func (a *app) keysProtectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "protect",
		Short: "Đặt mật khẩu cho tệp khoá chính / protect the primary key file with a passphrase",
		Long: `Mã hoá tệp keys/archive.key (và các khoá cũ trong keys/retired/) bằng mật khẩu (scrypt của age). Từ đó chatseal hỏi mật khẩu,
hoặc đọc nó từ biến môi trường nêu trong keys.passphrase_env (mặc định CHATSEAL_KEY_PASSPHRASE).

Encrypts keys/archive.key (and the retired keys in keys/retired/) with a passphrase (age's scrypt). From then on chatseal asks
for it, or reads it from the environment variable named by keys.passphrase_env
(default CHATSEAL_KEY_PASSPHRASE).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			path := filepath.Join(a.keysDir(), crypto.PrimaryFile)
			pass, err := a.passphrase()(path)
			if err != nil {
				return newUserError("PASSPHRASE_MISSING", "cần mật khẩu", "a passphrase is needed", err)
			}
			done, err := crypto.ProtectAll(a.keysDir(), pass)
			if err := vt.RecordKeyChange(cmd.Context(), "protect", map[string]string{"files": strings.Join(done, " ")}, err); errors.Is(err, vault.ErrAudit) {
				return err
			}
			if err != nil {
				return newUserError("PROTECT_FAILED", "không đặt được mật khẩu cho tệp khoá", "cannot protect the key file", err)
			}
			for _, p := range done {
				fmt.Fprintf(a.stdout, "Đã đặt mật khẩu / protected: %s\n", p)
			}
			fmt.Fprintln(a.stdout, "Quên mật khẩu thì chỉ còn khoá khôi phục (và các khoá giữ hộ đã thêm) đọc được kho.")
			fmt.Fprintln(a.stdout, "If the passphrase is lost, only the recovery key (and any escrow keys you added) can read the archive.")
			return nil
		},
	}
}
