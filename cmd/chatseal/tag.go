package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"chatseal/index"
)

func (a *app) tagCommand() *cobra.Command {
	tag := &cobra.Command{
		Use:   "tag",
		Short: "Gắn hoặc gỡ nhãn của tin nhắn / add or remove reviewer tags of messages",
		Long: `Gắn nhãn cho những tin nhắn mà cuộc điều tra tìm thấy, rồi tìm lại chúng bằng
tag:NHÃN. Mỗi thay đổi được ghi vào kho (mã hoá, không bao giờ bị ghi đè) nên
rebuild vẫn giữ nguyên nhãn. Mã tin nhắn lấy từ lệnh search (cột id).

Tags the messages an investigation found, so that tag:TAG finds them again.
Each change is written to the archive (encrypted, never rewritten), so a
rebuild keeps the tags. Message ids come from search (the id column).`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRunE,
	}
	change := func(use, short string, adding bool) *cobra.Command {
		return &cobra.Command{
			Use:   use + " TAG MESSAGE_ID...",
			Short: short,
			Args:  usageArgs(cobra.MinimumNArgs(2)),
			RunE: func(cmd *cobra.Command, args []string) error {
				vt, err := a.openExistingVault(cmd.Context())
				if err != nil {
					return err
				}
				defer vt.Close()
				var add, remove []string
				if adding {
					add = args[:1]
				} else {
					remove = args[:1]
				}
				res, err := vt.Tag(cmd.Context(), args[1:], add, remove)
				if err != nil {
					return err
				}
				verbVI, verbEN := "gắn", "added"
				if !adding {
					verbVI, verbEN = "gỡ", "removed"
				}
				tag := index.NormalizeTag(args[0])
				fmt.Fprintf(a.stdout, "Đã %s nhãn %q: %d tin nhắn, %d tin thay đổi.\n", verbVI, tag, res.Messages, res.Changed)
				fmt.Fprintf(a.stdout, "Tag %q %s: messages %d, changed %d.\n", tag, verbEN, res.Messages, res.Changed)
				return nil
			},
		}
	}
	tag.AddCommand(
		change("add", "Gắn nhãn / add a tag", true),
		change("remove", "Gỡ nhãn / remove a tag", false),
	)
	return tag
}
