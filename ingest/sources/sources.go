// Package sources lists the chat formats chatseal can import and opens an
// input with the right importer. It is the one place that knows every
// importer package, so that the vault and the command line do not.
package sources

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"chatseal/ingest"
	"chatseal/ingest/jsonl"
	"chatseal/ingest/messenger"
	"chatseal/ingest/slack"
	"chatseal/ingest/telegram"
	"chatseal/ingest/whatsapp"
	"chatseal/ingest/zalo"
	"chatseal/ingest/zalooa"
)

// Source is one importable format.
type Source struct {
	// Name is the value of --source, such as "whatsapp".
	Name string
	// Inputs describes what the user hands over, in English and Vietnamese.
	Inputs, InputsVI string
	// Folders is set when an input may be a folder (an unpacked export).
	Folders bool
	// Open opens one input (a file, folder or zip, as the format comes).
	// The reader may implement io.Closer and ingest.MediaOpener.
	Open func(path string, opts ingest.Options) (ingest.Reader, error)
}

var registry = map[string]Source{}

func register(s Source) { registry[s.Name] = s }

func init() {
	register(Source{
		Name:     "zalo",
		Inputs:   "zca-js capture files (.jsonl)",
		InputsVI: "tệp ghi sự kiện zca-js (.jsonl)",
		Open:     openFile(zalo.NewReader),
	})
	register(Source{
		Name:     "jsonl",
		Inputs:   "chatseal records, one JSON object per line",
		InputsVI: "bản ghi chatseal, mỗi dòng một đối tượng JSON",
		Open:     openFile(jsonl.NewReader),
	})
	register(Source{
		Name:     "whatsapp",
		Inputs:   "WhatsApp \"Export chat\" .txt, the .zip with media, or its unpacked folder",
		InputsVI: "tệp .txt của \"Xuất đoạn chat\" WhatsApp, tệp .zip kèm tệp phương tiện, hoặc thư mục đã giải nén",
		Folders:  true,
		Open:     whatsapp.Open,
	})
	register(Source{
		Name:     "telegram",
		Inputs:   "Telegram Desktop JSON export: result.json, its folder or a zip of it",
		InputsVI: "bản xuất JSON của Telegram Desktop: result.json, thư mục chứa nó hoặc tệp zip",
		Folders:  true,
		Open:     telegram.Open,
	})
	register(Source{
		Name:     "messenger",
		Inputs:   "Facebook Messenger: a DYI JSON thread folder, the DYI folder or zip, or end-to-end-encrypted chat JSON",
		InputsVI: "Facebook Messenger: thư mục cuộc trò chuyện, thư mục hoặc tệp zip \"Tải thông tin của bạn\" (JSON), hoặc tệp JSON đoạn chat mã hoá đầu cuối",
		Folders:  true,
		Open:     messenger.Open,
	})
	register(Source{
		Name:     "slack",
		Inputs:   "Slack workspace export: the folder or the zip",
		InputsVI: "bản xuất không gian làm việc Slack: thư mục hoặc tệp zip",
		Folders:  true,
		Open:     slack.Open,
	})
	register(Source{
		Name:     "zalo_oa",
		Inputs:   "Zalo Official Account webhook bodies, one JSON object per line (--account-uid: the OA id)",
		InputsVI: "nội dung webhook của Zalo Official Account, mỗi dòng một đối tượng JSON (--account-uid: mã OA)",
		Open:     zalooa.Open,
	})
}

// Names lists the source names in order.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the source called name.
func Lookup(name string) (Source, bool) {
	s, ok := registry[name]
	return s, ok
}

// Open opens path with the importer of source name.
func Open(name, path string, opts ingest.Options) (ingest.Reader, error) {
	s, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown source %q; supported: %s", name, strings.Join(Names(), ", "))
	}
	return s.Open(path, opts)
}

// openFile adapts a stream importer to Open: it reads one regular file.
func openFile(newReader func(io.Reader, string, ingest.Options) ingest.Reader) func(string, ingest.Options) (ingest.Reader, error) {
	return func(path string, opts ingest.Options) (ingest.Reader, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		if info.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s is a folder; this source reads files: name the files in it", path)
		}
		return &fileReader{Reader: newReader(f, path, opts), f: f}, nil
	}
}

type fileReader struct {
	ingest.Reader
	f *os.File
}

func (r *fileReader) Close() error { return r.f.Close() }
