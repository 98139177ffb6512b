// Package messenger imports Facebook Messenger chats from the two exports
// Meta offers:
//
//   - The "Download your information" (DYI) archive in JSON. Each thread is a
//     folder, such as your_facebook_activity/messages/inbox/<name>_<id>/,
//     with files message_1.json, message_2.json, ... Every file lists its
//     messages newest first, and message_1.json has the newest. Members:
//     participants [{name}], messages [{sender_name, timestamp_ms, content,
//     photos, videos, audio_files, files, gifs, sticker, share, reactions,
//     call_duration, is_unsent, ...}], title, thread_path.
//   - The separate export of end-to-end-encrypted (E2EE) chats, which DYI
//     no longer contains. It has one <Name>_<n>.json per chat with
//     participants [string], threadName and messages [{senderName,
//     timestamp, text, type, isUnsent, media [{uri}], reactions}], beside a
//     shared media/ folder.
//
// Meta documents neither format. The field names come from exports seen by
// third-party tools (Chatistics, chat-miner, chatalysis) and from the
// samples in testdata/messenger.
//
// Open takes a thread folder, a whole DYI folder or zip (every folder with
// message_N.json files is imported), a single message_N.json, an E2EE JSON
// file, or a folder or zip of E2EE files. Each file's format is recognised
// by its members, and a JSON file of another format is rejected with an
// error naming it.
//
// Repaired: DYI writes each UTF-8 byte of a non-ASCII character as its own
// \u00XX escape, so that text decodes as Latin-1 mojibake ("Nguyá»…n").
// Every string (text, names, title, participants, reactions, media paths)
// is repaired when all its runes are at most U+00FF and their bytes are
// valid UTF-8. The repair runs on E2EE files too, although the E2EE samples
// seen have no mojibake. One MOJIBAKE_REPAIRED warning per reader, with the
// number of strings repaired in Count, reports the repair through
// ingest.Options.Warn. A string that looks like mojibake but is not valid
// UTF-8 is kept as it is, with MOJIBAKE_NOT_REPAIRABLE on its message, or
// as an input warning for a title or participant.
//
// Order: a thread's messages are returned oldest first, by timestamp.
// Messages with the same DYI timestamp come in the reverse of Meta's order
// (the file with the higher N first, and within a file the later item
// first), which is the order of sending when Meta writes newest first. E2EE
// messages with the same timestamp keep file order.
//
// Identity: neither export has message ids. SourceID is a SHA-256 of the
// conversation, timestamp, sender name and text (after repair), with "-2",
// "-3", ... added to exact repeats within one millisecond. A DYI
// conversation is named by the last element of its thread_path
// ("<name>_<id>" of "inbox/<name>_<id>"), which stays the same when the user
// archives the thread. An E2EE conversation is named by "e2ee/" and its
// threadName.
//
// Media: a DYI uri is relative to the DYI root. Attachment.URI and
// Attachment.Path keep it as written, and OpenMedia finds the file in
// whatever part of the archive the user handed over. An E2EE uri is
// relative to its JSON file: URI drops a leading "./", and Path is the
// file's place in the export. The E2EE uri "Failed to download media"
// becomes an attachment with Present=false and AbsentReason
// "download_failed".
//
// Never done: no message is dropped for an unknown member, no text is
// normalised, and Raw keeps each message's JSON object byte for byte as it
// is in the file, escapes and indentation included.
package messenger

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "messenger"

// AbsentDownloadFailed is the Attachment.AbsentReason of E2EE media that
// the export could not download.
const AbsentDownloadFailed = "download_failed"

// MaxThreadBytes is the largest thread, in bytes of JSON over all its files,
// that the reader accepts.
//
// NOTE: The reader keeps one whole thread in memory, because DYI spreads a
// thread over files that each list it newest first, and messages must come
// out oldest first. Memory is bounded by the largest thread, not by the
// export. A longer thread can still be imported one message_N.json at a
// time.
const MaxThreadBytes = 1 << 30

// Conversation describes a thread the reader has read.
type Conversation struct {
	// ID is the chat.Message.Conversation of the thread's messages.
	ID    string
	Title string
	Kind  chat.ConversationKind
	// Participants are the names the export lists, repaired, in its order.
	Participants []string
	// ThreadPath is the DYI thread_path, such as "inbox/name_123". It is
	// empty for an E2EE chat.
	ThreadPath string
	// E2EE is set for a chat read from the end-to-end-encrypted export.
	E2EE bool
}

// Reader reads the messages of a Messenger export, thread by thread. It
// implements ingest.Reader, ingest.MediaOpener and io.Closer. It is not
// safe for concurrent use.
type Reader struct {
	files   tree
	closer  io.Closer
	display func(name string) string // a file's name for errors and bad records
	base    string                   // the path the user gave
	opts    ingest.Options
	loc     *time.Location
	self    string // opts.SelfName in NFC

	sources []threadSource
	next    int     // index into sources of the next thread to load
	cur     *thread // the thread being returned, or nil
	offset  int64
	err     error // the error that ended reading

	maxThreadBytes int64 // MaxThreadBytes, lowered by tests
	decoder        decoder

	conversations []Conversation
	media         mediaRoots

	repaired        int // strings repaired, over all threads
	repairedThreads int
	repairReported  bool
}

// Open opens the Messenger export at path: a DYI thread folder, DYI folder
// or zip, a single message_N.json, an E2EE JSON file, or a folder or zip of
// E2EE files. A folder or zip with message_N.json files is read as DYI
// only, so E2EE files beside them must be imported on their own. Next recognises and reads the files, so Open fails only when
// path cannot be opened or listed, or has no JSON file.
func Open(path string, opts ingest.Options) (ingest.Reader, error) {
	e, err := export.Open(path, export.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("messenger: open %s: %w", path, err)
	}
	names, err := e.Files()
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("messenger: list %s: %w", path, err)
	}
	sources := findThreads(names)
	if len(sources) == 0 {
		e.Close()
		if slices.ContainsFunc(names, isHTMLMessageFile) {
			return nil, fmt.Errorf("messenger: %s is a DYI archive in HTML format; download your information again with the format set to JSON", path)
		}
		return nil, fmt.Errorf("messenger: %s has no message_N.json and no other .json file; want a Messenger DYI thread folder, DYI archive or E2EE chat export", path)
	}
	r := newReader(e, sources, displayName(e), path, opts)
	r.closer = e
	return r, nil
}

// displayName returns how a file of e is named in errors and bad records.
func displayName(e *export.Export) func(string) string {
	switch e.Kind {
	case export.File:
		return func(string) string { return e.Path }
	case export.Dir:
		return func(name string) string { return filepath.Join(e.Path, filepath.FromSlash(name)) }
	}
	return func(name string) string { return e.Path + "/" + name }
}

func newReader(files tree, sources []threadSource, display func(string) string, base string, opts ingest.Options) *Reader {
	return &Reader{
		files:   files,
		display: display,
		base:    base,
		opts:    opts,
		loc:     ingest.DefaultLocation(opts.Location),
		self:    nfc(opts.SelfName),
		sources: sources,

		maxThreadBytes: MaxThreadBytes,
	}
}

// Next returns the next message, a *ingest.BadRecord for a message item
// that cannot be read, or io.EOF at the end. A message's Raw is a slice of
// its thread's file, which stays in memory as long as any message of the
// thread does. Any other error ends the
// input and is returned again by later calls: a file that is not a
// Messenger export, that breaks before its "messages" array, that cannot be
// read, or a thread larger than MaxThreadBytes.
func (r *Reader) Next() (*chat.Message, error) {
	if r.opts.Account == "" {
		return nil, errors.New("messenger: ingest.Options.Account is empty; set it to the chatseal account of this input")
	}
	if r.err != nil {
		return nil, r.err
	}
	for {
		if r.cur != nil {
			m, err := r.cur.next(r)
			if m != nil || err != nil {
				return m, err
			}
			r.cur = nil
		}
		if r.next >= len(r.sources) {
			r.reportRepairs()
			return nil, io.EOF
		}

		src := r.sources[r.next]
		r.next++
		th, err := r.loadThread(src)
		if err != nil {
			r.err = err
			return nil, err
		}
		r.cur = th
	}
}

// Offset returns the bytes of thread files read so far. A thread's files
// are read whole before its first message is returned.
func (r *Reader) Offset() int64 { return r.offset }

// Close releases the export. A MOJIBAKE_REPAIRED warning not yet reported
// is reported first.
func (r *Reader) Close() error {
	r.reportRepairs()
	r.cur = nil
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Conversations returns the threads read so far, in the order they were
// read.
func (r *Reader) Conversations() []Conversation { return slices.Clone(r.conversations) }

// OpenMedia opens the attachment at p, an Attachment.Path the reader
// returned. A DYI path is relative to the DYI root, so it is looked up as it
// is, under each DYI root seen in the export, and inside the folder of the
// thread it names. It returns an error wrapping fs.ErrNotExist when the
// export does not hold the file.
func (r *Reader) OpenMedia(p string) (io.ReadCloser, int64, error) {
	clean := path.Clean(p)
	if !fs.ValidPath(clean) {
		return nil, 0, fmt.Errorf("messenger: media %q points outside the export: %w", p, fs.ErrNotExist)
	}
	rc, size, err := r.files.Open(clean)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return rc, size, err
	}
	for _, candidate := range r.media.candidates(clean) {
		rc, size, err := r.files.Open(candidate)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return rc, size, err
		}
	}
	return nil, 0, fmt.Errorf("messenger: media %s is not in %s: %w", p, r.base, fs.ErrNotExist)
}

// reportRepairs reports the strings repaired so far in one warning, once.
func (r *Reader) reportRepairs() {
	if r.repairReported || r.repaired == 0 {
		return
	}
	r.repairReported = true
	r.opts.Emit(ingest.Warning{
		Code:   ingest.WarnMojibakeRepaired,
		File:   r.base,
		Count:  r.repaired,
		Detail: fmt.Sprintf("Meta wrote non-ASCII text as \\u00XX escapes of its UTF-8 bytes; decoded %d strings as UTF-8 (threads affected: %d)", r.repaired, r.repairedThreads),
	})
}
