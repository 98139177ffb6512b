// Package slack imports a Slack workspace export, the folder or zip that a
// workspace admin downloads from Slack's "Export data" page. Slack publishes
// no specification of the export. The layout below is the one that Slack's
// help pages describe and that importers of other chat systems read.
//
// At the export's root, users.json lists the people and channels.json the
// public channels, with groups.json (private channels), mpims.json (group
// direct messages) and dms.json (direct messages) when the export includes
// private data. Every conversation has a folder, named after the channel or,
// for a direct message, after its id, that holds one file per day,
// YYYY-MM-DD.json, with a JSON array of the messages of that day.
//
// Each message becomes a chat.Message whose Conversation is the channel id
// and whose SourceID is the message's ts, kept exactly as written. The ts is
// the message id within the channel. It is never read through a float,
// which would drop its trailing zeros. SentAt comes from ts too (seconds and
// microseconds since 1970), never from the day file's name, because Slack
// cuts days in a zone the export does not state. Text keeps Slack's markup
// (<@U…> mentions, <url|label> links, &amp; escapes) as written; DisplayText
// renders it with names, and that rendering goes to IndexText so that a
// search for a person's name finds the message. Files in a standard export
// are links to Slack's servers, not bytes, so every file attachment is
// Present=false with AbsentReason remote_url_only.
//
// Day files are read as a stream, one message at a time, and every message
// keeps its JSON object byte for byte in Raw. An element that is not a valid
// message becomes an *ingest.BadRecord that names the day file, line and
// offset; a day file that is not a JSON array, or whose array is broken,
// becomes one bad record holding the rest of the file, and reading goes on
// with the next file. A message without ts cannot be placed in time or told
// apart from others, so it is skipped with a MISSING_TS warning that names
// the day file and the element's 0-based index. Conversation folders that no
// metadata file lists are read with the folder name as conversation id and an
// UNLISTED_CONVERSATION warning; files in conversation folders that are not
// day files are skipped with a FILE_SKIPPED warning.
package slack

import (
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "slack"

// Warning codes of this package, beside those of package ingest.
const (
	// WarnUnlistedConversation marks a conversation folder that no
	// metadata file lists. Its folder name is used as the conversation id,
	// which changes if a later export lists it.
	WarnUnlistedConversation = "UNLISTED_CONVERSATION"
	// WarnFileSkipped counts files of an export that are neither metadata
	// nor day files and were not read.
	WarnFileSkipped = "FILE_SKIPPED"
)

// Names resolves the ids in Slack markup to names, for DisplayText.
type Names interface {
	// UserName returns the display name of a user id, or "" if unknown.
	UserName(id string) string
	// ChannelName returns the name of a channel id, or "" if unknown.
	ChannelName(id string) string
}

// dayFile is one YYYY-MM-DD.json file of a conversation folder.
type dayFile struct {
	name string // path inside the export
	conv conversation
}

// reader is the ingest.Reader for one export.
type reader struct {
	opts ingest.Options
	loc  *time.Location
	dir  *directory
	// open opens a file of the export by its path inside it.
	open func(name string) (io.ReadCloser, int64, error)
	// display names an export file in bad records and warnings.
	display func(name string) string
	close   func() error

	days []dayFile
	next int // index in days of the next file to open

	cur      *dayReader
	consumed int64 // bytes of the day files read before cur
	// buf is the read buffer, passed from one day file to the next.
	buf []byte
	// slab holds the Raw bytes of recent messages; see keep.
	slab []byte
	// names holds the strings that repeat from message to message.
	names interner
}

// dayReader reads the messages of one open day file.
type dayReader struct {
	day   dayFile
	file  string // the day file's name in bad records and warnings
	rc    io.ReadCloser
	array *arrayReader
}

// Open opens the Slack export at path, a folder or a zip. opts.Account is
// required. opts.AccountUID, when set, is the Slack user id of the archived
// person: only that user's messages are outbound. Without it every member of
// the exporting workspace, and every bot, counts as the organisation, so
// only people of other teams (shared channels) and unknown users are
// inbound. opts.Location sets the zone of SentAt and defaults to
// Asia/Ho_Chi_Minh.
//
// The returned reader implements io.Closer.
func Open(path string, opts ingest.Options) (ingest.Reader, error) {
	if opts.Account == "" {
		return nil, fmt.Errorf("slack: open %s: ingest.Options.Account is empty; set it to the chatseal account of this input", path)
	}
	exp, err := export.Open(path, export.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("slack: open %s: %w", path, err)
	}
	r, err := newExportReader(exp, opts)
	if err != nil {
		exp.Close()
		return nil, err
	}
	return r, nil
}

func newExportReader(exp *export.Export, opts ingest.Options) (*reader, error) {
	if exp.Kind == export.File {
		return nil, fmt.Errorf("slack: %s: not a Slack export (want the export's folder or zip, which contains channels.json and a folder per channel); check --source", exp.Path)
	}
	files, err := exp.Files()
	if err != nil {
		return nil, fmt.Errorf("slack: list %s: %w", exp.Path, err)
	}
	for _, name := range exp.Unsafe {
		opts.Emit(ingest.Warning{Code: WarnFileSkipped, File: exp.Path, Count: 1, Detail: fmt.Sprintf("zip entry %q leaves the archive and was not read", name)})
	}
	root, ok := findRoot(files)
	if !ok {
		return nil, fmt.Errorf("slack: %s: not a Slack export (no channels.json, groups.json, mpims.json or dms.json at its root); check --source", exp.Path)
	}

	display := func(name string) string { return strings.TrimSuffix(exp.Path, "/") + "/" + name }
	dir, err := loadDirectory(exp, root, opts, display)
	if err != nil {
		return nil, err
	}
	days := dayFiles(files, root, dir, opts, display)
	return &reader{
		opts:    opts,
		loc:     ingest.DefaultLocation(opts.Location),
		dir:     dir,
		open:    exp.Open,
		display: display,
		close:   exp.Close,
		days:    days,
		names:   interner{},
	}, nil
}

// findRoot returns the folder, inside the export, that holds the metadata
// files: "" for an export whose files are at the top, or the folder that a
// zip made from a folder wraps them in.
func findRoot(files []string) (string, bool) {
	root, depth := "", -1
	for _, name := range files {
		for _, f := range conversationFiles {
			if path.Base(name) != f.name {
				continue
			}
			d := strings.Count(name, "/")
			if depth < 0 || d < depth {
				root, depth = path.Dir(name), d
			}
		}
	}
	if root == "." {
		root = ""
	}
	return root, depth >= 0
}

// dayFiles lists the day files under root, grouped by conversation folder in
// name order, each folder's days in name order. It warns about folders that
// no metadata file lists and about files it skips.
func dayFiles(files []string, root string, dir *directory, opts ingest.Options, display func(string) string) []dayFile {
	prefix := ""
	if root != "" {
		prefix = root + "/"
	}
	var days []dayFile
	skipped := map[string]int{} // folder, or "" for the root, to count
	unlisted := map[string]bool{}
	for _, name := range files {
		rel, ok := strings.CutPrefix(name, prefix)
		if !ok {
			skipped[""]++
			continue
		}
		folder, base, nested := strings.Cut(rel, "/")
		if !nested {
			if !isMetadataFile(rel) {
				skipped[""]++
			}
			continue
		}
		if strings.Contains(base, "/") || !isDayFileName(base) {
			skipped[folder]++
			continue
		}
		conv, listed := dir.folders[folder]
		if !listed {
			conv = conversation{id: folder, title: folder, kind: chat.Channel}
			if !unlisted[folder] {
				unlisted[folder] = true
				opts.Emit(ingest.Warning{Code: WarnUnlistedConversation, File: display(prefix + folder), Detail: "no metadata file lists this conversation folder; its name is used as the conversation id"})
			}
		}
		days = append(days, dayFile{name: name, conv: conv})
	}
	// Files() is sorted, so each folder's files are together and in order.

	folders := make([]string, 0, len(skipped))
	for f := range skipped {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	for _, f := range folders {
		opts.Emit(ingest.Warning{Code: WarnFileSkipped, File: display(prefix + f), Count: skipped[f], Detail: "files that are neither metadata nor day files (YYYY-MM-DD.json) were not read"})
	}
	return days
}

func isMetadataFile(name string) bool {
	if name == usersFile || knownRootFiles[name] {
		return true
	}
	for _, f := range conversationFiles {
		if name == f.name {
			return true
		}
	}
	return false
}

// isDayFileName reports whether name has the form YYYY-MM-DD.json.
func isDayFileName(name string) bool {
	const layout = "0000-00-00.json"
	if len(name) != len(layout) {
		return false
	}
	for i := 0; i < len(layout); i++ {
		if layout[i] == '0' {
			if !isDigit(name[i]) {
				return false
			}
		} else if name[i] != layout[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Next returns the next message, an *ingest.BadRecord for an element or a
// day file that cannot be read as messages, io.EOF after the last day file,
// or another error when the export cannot be read.
func (r *reader) Next() (*chat.Message, error) {
	for {
		if r.cur == nil {
			if r.next >= len(r.days) {
				return nil, io.EOF
			}
			bad, err := r.openDay(r.days[r.next])
			r.next++
			if err != nil {
				return nil, err
			}
			if bad != nil {
				return nil, bad
			}
		}

		el, err := r.cur.array.next()
		if err == io.EOF {
			r.closeDay()
			continue
		}
		if err != nil {
			return nil, r.dayError(err)
		}
		m, bad := r.parseElement(el)
		if bad != nil {
			return nil, bad
		}
		if m != nil {
			return m, nil
		}
	}
}

// openDay opens a day file. A file the export refuses to open (a zip entry
// over the size limits) is returned as a bad record.
func (r *reader) openDay(day dayFile) (*ingest.BadRecord, error) {
	file := r.display(day.name)
	rc, _, err := r.open(day.name)
	if errors.Is(err, export.ErrTooLarge) {
		return &ingest.BadRecord{File: file, Reason: err.Error()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("slack: open %s: %w", file, err)
	}
	r.cur = &dayReader{day: day, file: file, rc: rc, array: newArrayReader(rc, "messages", ingest.MaxRecordBytes, r.buf)}
	return nil, nil
}

func (r *reader) closeDay() {
	r.consumed += r.cur.array.offset()
	if cap(r.cur.array.buf) <= maxKeptBuffer {
		r.buf = r.cur.array.buf
	}
	r.cur.rc.Close()
	r.cur = nil
}

// dayError turns an error of the array reader into a bad record and ends the
// day file. A read error (a damaged zip entry) ends the day file too rather
// than the whole export.
func (r *reader) dayError(err error) error {
	d := r.cur
	bad := &ingest.BadRecord{File: d.file, Line: d.array.line, Offset: d.array.offset()}
	var ae *arrayError
	if errors.As(err, &ae) {
		bad.Line, bad.Offset, bad.Reason = ae.line, ae.offset, ae.reason
		bad.Raw, bad.Truncated = ae.rest, ae.truncated
	} else {
		bad.Reason = fmt.Sprintf("reading the day file failed: %v", err)
	}
	r.closeDay()
	return bad
}

// maxKeptBuffer is the largest read buffer kept for the next day file, so
// that one huge message does not pin its buffer for the rest of the export.
const maxKeptBuffer = 1 << 20

// Offset returns how many bytes of the day files have been read, counting
// uncompressed bytes for a zip.
func (r *reader) Offset() int64 {
	if r.cur != nil {
		return r.consumed + r.cur.array.offset()
	}
	return r.consumed
}

// Close closes the day file being read and the export.
func (r *reader) Close() error {
	if r.cur != nil {
		r.closeDay()
	}
	if r.close != nil {
		return r.close()
	}
	return nil
}
