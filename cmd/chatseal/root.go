package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"chatseal/audit"
	"chatseal/catalog"
	"chatseal/crypto"
	"chatseal/index"
	"chatseal/vault"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitDamaged  = 3 // verify found damage
	exitNotFound = 4
)

// userError is an error shown to a person: Vietnamese first, English
// second, with a stable English code that scripts and support can match.
type userError struct {
	Code string
	VI   string
	EN   string
	// Show, when set, is printed unchanged after the two message lines,
	// such as the query of a syntax error with a caret under the column.
	Show string
	Exit int
	Err  error
}

func (e *userError) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.EN + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.EN
}

func (e *userError) Unwrap() error { return e.Err }

func newUserError(code, vi, en string, err error) *userError {
	return &userError{Code: code, VI: vi, EN: en, Exit: exitError, Err: err}
}

type app struct {
	v      *viper.Viper
	stdout io.Writer
	stderr io.Writer
	// pass is the run's passphrase source (see passphrase).
	pass crypto.Passphrase
}

// passphrase returns the run's source of key file passphrases. It asks for
// each file's passphrase once, so that a command that opens the vault and
// then changes the keys does not ask twice.
func (a *app) passphrase() crypto.Passphrase {
	if a.pass == nil {
		ask := passphraseSource(a.v.GetString(keyPassphraseEnv), a.stderr)
		known := map[string]string{}
		a.pass = func(path string) (string, error) {
			if p, ok := known[path]; ok {
				return p, nil
			}
			p, err := ask(path)
			if err == nil {
				known[path] = p
			}
			return p, err
		}
	}
	return a.pass
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{v: newViper(), stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(vault.WithActor(ctx, cliActor()))
	if err == nil {
		return exitOK
	}
	return a.report(err)
}

// cliActor names the person at the command line for audit events, as
// "cli:<user>@<host>". The command line has no login of its own, so this
// is the operating system's account, which file permissions on the data
// folder already trust.
func cliActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return "cli:" + name + "@" + host
}

// report prints err for a person and returns the exit code.
func (a *app) report(err error) int {
	var ue *userError
	if !errors.As(err, &ue) {
		ue = classify(err)
	}
	fmt.Fprintf(a.stderr, "Lỗi [%s]: %s\n", ue.Code, ue.VI)
	fmt.Fprintf(a.stderr, "Error [%s]: %s\n", ue.Code, ue.EN)
	if ue.Show != "" {
		fmt.Fprintln(a.stderr, ue.Show)
	}
	if ue.Err != nil {
		fmt.Fprintf(a.stderr, "  %v\n", ue.Err)
	}
	return ue.Exit
}

// classify turns an error from below into a userError with a code.
func classify(err error) *userError {
	var syn *index.SyntaxError
	switch {
	case strings.HasPrefix(err.Error(), "unknown command "):
		// cobra's error for a command name it does not know.
		ue := newUserError("USAGE", "không có lệnh này; xem chatseal --help", "no such command; see chatseal --help", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, vault.ErrAudit):
		return newUserError("AUDIT_FAILED", "không ghi được sự kiện vào nhật ký kiểm toán nên kết quả không được hiển thị; kiểm tra nơi lưu trữ (ổ đĩa hoặc S3) rồi chạy lại", "the audit event could not be written, so no result is shown; check the storage (disk or S3) and run again", err)
	case errors.Is(err, audit.ErrBroken):
		ue := newUserError("AUDIT_BROKEN", "chuỗi băm của nhật ký kiểm toán bị đứt: có sự kiện đã bị sửa, xoá hoặc đảo thứ tự; chi tiết bên dưới nêu đối tượng", "the audit log's hash chain is broken: an event was changed, removed or reordered; the detail below names the object", err)
		ue.Exit = exitDamaged
		return ue
	case errors.As(err, &syn):
		ue := newUserError("QUERY_SYNTAX", syntaxErrorVI(syn), fmt.Sprintf("the query is not valid at column %d (see chatseal search --help)", syn.Pos), err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, index.ErrInvalidCursor):
		ue := newUserError("CURSOR_INVALID", "con trỏ --after không hợp lệ hoặc thuộc một lượt tìm khác (truy vấn, phạm vi hoặc cách sắp xếp khác); hãy tìm lại từ trang đầu", "the --after cursor is invalid or belongs to another search (another query, scope or sort); search again from the first page", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, index.ErrInvalidSort):
		ue := newUserError("SORT_INVALID", "--sort chỉ nhận relevance, newest hoặc oldest", "--sort accepts relevance, newest or oldest", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, vault.ErrUnknownScope):
		ue := newUserError("SCOPE_UNKNOWN", "phạm vi nêu một người giữ tài khoản, nhóm hoặc vụ việc chưa được khai báo trong cấu hình (custodians, teams, matters)", "the scope names a custodian, team or matter the configuration does not define (custodians, teams, matters)", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, vault.ErrInputUnreadable):
		ue := newUserError("INPUT_UNREADABLE", "không đọc được đầu vào theo định dạng của nguồn đã chọn (sai --source, tệp zip hỏng hoặc tệp bị cắt); chạy lại cũng không giúp được, hãy xem chi tiết bên dưới. Các tin đọc được trước chỗ hỏng đã được lưu", "the input cannot be read in the chosen source's format (wrong --source, damaged zip or a cut file); running again will not help, see the detail below. Messages read before the damage are stored", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, vault.ErrAmbiguous):
		ue := newUserError("CONVERSATION_AMBIGUOUS", "mã hội thoại có ở nhiều tài khoản; hãy chọn bằng --account", "the conversation id exists in several accounts; pick one with --account", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, crypto.ErrPassphrase):
		return newUserError("PASSPHRASE", "thiếu hoặc sai mật khẩu của tệp khoá; đặt biến CHATSEAL_KEY_PASSPHRASE (hoặc biến nêu trong keys.passphrase_env) hay chạy lệnh trên màn hình để được hỏi", "the key file passphrase is missing or wrong; set CHATSEAL_KEY_PASSPHRASE (or the variable named by keys.passphrase_env) or run on a terminal to be asked", err)
	case errors.Is(err, crypto.ErrKeyMissing):
		return newUserError("KEYS_MISSING", "thiếu tệp khoá của kho; hãy khôi phục tệp được nêu bên dưới từ bản sao lưu", "an archive key file is missing; restore the file named below from your backup", err)
	case errors.Is(err, vault.ErrInvalidTag):
		ue := newUserError("TAG_INVALID", "nhãn không hợp lệ: nhãn không được rỗng, không chứa khoảng trắng và dài tối đa 64 ký tự (nối các từ bằng - hoặc _)", "invalid tag: a tag is not empty, has no spaces and is at most 64 characters long (join words with - or _)", err)
		ue.Exit = exitUsage
		return ue
	case errors.Is(err, catalog.ErrNotFound):
		ue := newUserError("NOT_FOUND", "không tìm thấy trong kho (xem chi tiết bên dưới; mã tin nhắn và mã hội thoại lấy từ lệnh search, cột id và conversation)", "not found in the archive (see below; message and conversation ids come from search)", err)
		ue.Exit = exitNotFound
		return ue
	case errors.Is(err, context.Canceled):
		return newUserError("INTERRUPTED", "đã dừng theo yêu cầu; dữ liệu đã xác nhận vẫn an toàn trong hàng đợi", "stopped on request; acknowledged data is safe in the spool", nil)
	}
	return newUserError("FAILED", "thao tác thất bại", "the operation failed", err)
}

// usageArgs wraps a cobra argument check so that a wrong number of
// arguments is reported like any other usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			ue := newUserError("USAGE", "số lượng tham số không đúng; cách dùng: "+cmd.UseLine(), "wrong number of arguments; usage: "+cmd.UseLine(), err)
			if cmd.HasSubCommands() && len(args) > 0 {
				// A command with subcommands reads a stray word as an
				// argument; more likely it is a mistyped subcommand.
				ue = newUserError("USAGE", fmt.Sprintf("không có lệnh con %q; xem chatseal %s --help", args[0], cmd.Name()), fmt.Sprintf("no subcommand %q; see chatseal %s --help", args[0], cmd.Name()), err)
			}
			ue.Exit = exitUsage
			return ue
		}
		return nil
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "chatseal",
		Short: "Kho lưu trữ tin nhắn doanh nghiệp phục vụ tuân thủ / compliance archive for business chat",
		Long: `chatseal lưu mọi cuộc trò chuyện (Zalo, …) vào kho lưu trữ chỉ ghi thêm, mã hoá bằng age,
tìm kiếm tiếng Việt có hoặc không dấu, và kiểm tra kho còn nguyên vẹn.

chatseal keeps every chat conversation in an append-only, age-encrypted archive,
searches it in Vietnamese with or without diacritics, and verifies it is intact.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			path, _ := cmd.Flags().GetString("config")
			if err := loadConfigFile(a.v, path); err != nil {
				ue := newUserError("CONFIG_INVALID", "không đọc được tệp cấu hình", "cannot read the config file", err)
				ue.Exit = exitUsage
				return ue
			}
			return nil
		},
	}
	bindGlobalFlags(a.v, root.PersistentFlags())
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		ue := newUserError("USAGE", "tham số không hợp lệ; xem --help", "invalid arguments; see --help", err)
		if cmd.Name() == "search" && strings.Contains(err.Error(), "unknown") {
			ue.VI += `. Để tìm câu truy vấn bắt đầu bằng dấu trừ, đặt -- trước nó: chatseal search -- '-spam giá'`
			ue.EN += `. To search for a query that starts with a minus, put -- before it: chatseal search -- '-spam giá'`
		}
		ue.Exit = exitUsage
		return ue
	})
	root.AddCommand(
		a.importCommand(),
		a.searchCommand(),
		a.showCommand(),
		a.statsCommand(),
		a.verifyCommand(),
		a.rebuildCommand(),
		a.compactCommand(),
		a.tagCommand(),
		a.auditCommand(),
		a.keysCommand(),
		a.proveCommand(),
		a.checkProofCommand(),
		a.attachmentCommand(),
		a.benchCommand(),
		a.demoCommand(),
	)
	return root
}

// openVault opens the configured data folder, creating the archive and its
// keys on first use, and prints a notice when new keys were created. Only
// commands that add messages use it, and the others use openExistingVault.
func (a *app) openVault(ctx context.Context) (*vault.Vault, error) {
	return a.openVaultMode(ctx, false)
}

// openExistingVault opens the configured data folder and fails with
// NO_ARCHIVE when it contains no archive, so that a mistyped --data never
// creates a new, empty archive that verify would call intact.
func (a *app) openExistingVault(ctx context.Context) (*vault.Vault, error) {
	return a.openVaultMode(ctx, true)
}

// noArchiveError is the NO_ARCHIVE error for a data folder without archive
// keys.
func noArchiveError(dataDir string, err error) *userError {
	ue := newUserError("NO_ARCHIVE",
		"thư mục dữ liệu "+dataDir+" chưa có kho lưu trữ (không có khoá); kiểm tra --data hoặc CHATSEAL_DATA, hoặc chạy chatseal import trước. Nếu kho nằm trên S3, hãy khôi phục thư mục khoá từ bản sao lưu",
		"the data folder "+dataDir+" contains no archive (no keys); check --data or CHATSEAL_DATA, or run chatseal import first. If the archive is on S3, restore the keys folder from your backup",
		err)
	ue.Exit = exitNotFound
	return ue
}

func (a *app) openVaultMode(ctx context.Context, mustExist bool) (*vault.Vault, error) {
	cfg, err := vaultConfig(a.v, a.stderr)
	if err != nil {
		ue := newUserError("CONFIG_INVALID", "cấu hình không hợp lệ", "invalid configuration", err)
		ue.Exit = exitUsage
		return nil, ue
	}
	cfg.MustExist = mustExist
	cfg.KeyPassphrase = a.passphrase()
	vt, err := vault.Open(ctx, cfg)
	if errors.Is(err, vault.ErrNoArchive) {
		return nil, noArchiveError(cfg.DataDir, err)
	}
	if errors.Is(err, crypto.ErrKeyMissing) || errors.Is(err, crypto.ErrPassphrase) {
		return nil, classify(err)
	}
	if err != nil {
		return nil, newUserError("OPEN_FAILED", "không mở được thư mục dữ liệu "+cfg.DataDir, "cannot open the data folder "+cfg.DataDir, err)
	}
	if vt.KeysCreated != nil {
		printKeysCreated(a.stderr, vt.KeysCreated.PrimaryPath, vt.KeysCreated.RecoveryPath)
	}
	return vt, nil
}

func printKeysCreated(w io.Writer, primary, recovery string) {
	fmt.Fprintf(w, `Đã tạo khoá mã hoá mới cho kho lưu trữ / New archive keys were created:
  khoá chính / primary key:       %s
  khoá khôi phục / recovery key:  %s
Hãy sao lưu cả thư mục khoá ngay bây giờ, rồi cất khoá khôi phục ở nơi khác, không để trên máy chủ này.
Mất cả hai khoá là mất toàn bộ kho lưu trữ: không ai giải mã được nữa.
Back up the keys folder now, then keep the recovery key away from this server.
Losing both keys loses the whole archive: nobody can decrypt it again.

`, primary, recovery)
}

// groupRunE is the RunE of a command that only groups subcommands, such as
// keys and tag. Named alone or with an unknown subcommand, it prints its
// help and fails as a usage error instead of exiting 0.
func groupRunE(cmd *cobra.Command, args []string) error {
	cmd.Help()
	names := []string{}
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	list := strings.Join(names, ", ")
	ue := newUserError("USAGE", "hãy chọn một lệnh con: "+list, "choose a subcommand: "+list, nil)
	if len(args) > 0 {
		ue = newUserError("USAGE", fmt.Sprintf("không có lệnh con %q; hãy chọn: %s", args[0], list), fmt.Sprintf("no subcommand %q; choose one of: %s", args[0], list), nil)
	}
	ue.Exit = exitUsage
	return ue
}
