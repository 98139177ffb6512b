package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"chatseal/archive"
	"chatseal/vault"
)

func (a *app) proveCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "prove [--out FILE] MESSAGE_ID",
		Short: "Xuất bằng chứng một tin nhắn nằm trong kho / print an inclusion proof of one message",
		Long: `In bằng chứng (Merkle, RFC 6962) rằng tin nhắn nằm trong nhật ký đã được ký ở checkpoint mới nhất.
Ai có khoá công khai checkpoint (chatseal keys show) đều kiểm tra được bằng "chatseal check-proof", không cần kho.

Prints a proof (RFC 6962 Merkle audit path) that the message is in the log signed by
the newest checkpoint. Anyone with the checkpoint public key (chatseal keys show) can
check it with "chatseal check-proof", without the archive.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := a.openExistingVault(cmd.Context())
			if err != nil {
				return err
			}
			defer vt.Close()
			// The output is created first, like attachment's: a proof is
			// an audit event, and a bad --out should record none.
			var f *os.File
			if out != "" {
				if f, err = createOutput(out); err != nil {
					return err
				}
			}
			data, err := encodedProof(cmd.Context(), vt, args[0])
			if f == nil {
				if err == nil {
					_, err = a.stdout.Write(data)
				}
				return err
			}
			if err != nil {
				f.Close()
				os.Remove(out)
				return err
			}
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(out)
				return newUserError("WRITE_FAILED", "không ghi được tệp "+out+"; kiểm tra dung lượng đĩa và quyền ghi", "cannot write "+out+"; check free disk space and permissions", err)
			}
			fmt.Fprintf(a.stderr, "Đã ghi bằng chứng / proof written: %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the proof to, which must not exist (default: standard output)")
	return cmd
}

// encodedProof returns the encoded inclusion proof of the message with id.
func encodedProof(ctx context.Context, vt *vault.Vault, id string) ([]byte, error) {
	p, err := vt.Prove(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.Encode()
}

func (a *app) checkProofCommand() *cobra.Command {
	var publicKey, publicKeyFile string
	cmd := &cobra.Command{
		Use:   "check-proof (--public-key KEY | --public-key-file FILE) PROOF_FILE",
		Short: "Kiểm tra bằng chứng mà không cần kho / check an inclusion proof offline",
		Long: `Kiểm tra chữ ký checkpoint và đường dẫn Merkle từ bản ghi tin nhắn tới gốc đã ký.
Chỉ cần tệp bằng chứng và khoá công khai checkpoint.

Checks the checkpoint signature and the Merkle audit path from the message record to
the signed root. Needs only the proof file and the checkpoint public key.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if publicKeyFile != "" {
				b, err := os.ReadFile(publicKeyFile)
				if err != nil {
					return newUserError("KEY_UNREADABLE", "không đọc được tệp khoá công khai", "cannot read the public key file", err)
				}
				publicKey = strings.TrimSpace(string(b))
			}
			if publicKey == "" {
				ue := newUserError("USAGE", "cần --public-key hoặc --public-key-file (xem chatseal keys show)", "--public-key or --public-key-file is required (see chatseal keys show)", nil)
				ue.Exit = exitUsage
				return ue
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return newUserError("PROOF_UNREADABLE", "không đọc được tệp bằng chứng", "cannot read the proof file", err)
			}
			cp, m, err := archive.CheckInclusionProof(data, publicKey)
			if err != nil {
				ue := newUserError("PROOF_INVALID", "bằng chứng KHÔNG hợp lệ", "the proof is NOT valid", err)
				ue.Exit = exitDamaged
				return ue
			}
			fmt.Fprintf(a.stdout, "Bằng chứng hợp lệ: tin nhắn %s (seq %d, gửi lúc %s) nằm trong nhật ký %d bản ghi đã ký lúc %s.\n",
				m.ID, m.Seq, m.SentAt.Format("2006-01-02 15:04:05 -07:00"), cp.Size, cp.Time.Format("2006-01-02 15:04:05Z07:00"))
			fmt.Fprintf(a.stdout, "The proof is valid: message %s (seq %d, sent %s) is in the log of %d records signed at %s.\n",
				m.ID, m.Seq, m.SentAt.Format("2006-01-02 15:04:05 -07:00"), cp.Size, cp.Time.Format("2006-01-02 15:04:05Z07:00"))
			return nil
		},
	}
	cmd.Flags().StringVar(&publicKey, "public-key", "", "checkpoint public key, as printed by chatseal keys show")
	cmd.Flags().StringVar(&publicKeyFile, "public-key-file", "", "file holding the checkpoint public key (keys/checkpoint.pub)")
	return cmd
}
