// Package whatsapp imports the chat exports that WhatsApp's "Export chat"
// makes: a .txt file of the chat, or, when media are included, a zip of the
// .txt and the media files, which a user may also hand over unpacked as a
// folder. The format has no specification. This package follows the exports
// of WhatsApp for Android and iOS as the public parsers
// Pustur/whatsapp-chat-parser and lucasrodes/whatstk and the chatseal test
// cases document them.
//
// Each message starts with a header line, and every line that does not is a
// continuation of the message before it:
//
//	15/03/2024, 08:59 - Lê Thu Hà: Chào anh              (Android)
//	[3/15/24, 8:59:40 AM] Lê Thu Hà: Chào anh             (iOS)
//
// The first header fixes the layout, and only lines with that layout start
// messages. NOTE: a line typed inside a message with exactly that layout
// cannot be distinguished from a new message, so it starts one.
//
// Dates are written in the phone's order, which the export never states:
// the importer detects it once per file from its first few thousand headers,
// unless ingest.Options.DateOrder gives it (see orderDetector). Times are
// wall-clock times of the phone, converted with ingest.Options.Location;
// a time that a daylight-saving change skips or repeats is kept with a
// warning (see zone). 12-hour clocks in several locales are read, with any
// space before the marker.
//
// What is repaired: the invisible marks WhatsApp writes (U+200E, U+200F,
// U+202A to U+202E, U+2066 to U+2069, the byte order mark) are removed from
// the start of lines, around names and attachment phrases, and from system
// text; a localised "<This message was edited>" suffix is removed and sets
// Edited; attachment phrases become attachments; a "This message was
// deleted" placeholder becomes a message with the flag "unsent" and no text.
// Message text is otherwise kept exactly, never Unicode-normalised, and Raw
// holds each message's lines byte for byte. The phrases are listed, by
// language, in phrases.go.
//
// What is warned about: a date order the dates do not prove
// (WarnDateOrderAmbiguous, for the input), a nonexistent or ambiguous local
// time (per message), and zip entries whose names leave the archive
// (WarnUnsafeZipEntry, for the input; they are never opened). A header with
// an invalid date or time, a message longer than ingest.MaxRecordBytes and
// lines before the first header become *ingest.BadRecord values.
//
// What is never done: no message is dropped, no file is extracted to disk,
// and no text is written to errors. WhatsApp writes no message ids, so
// SourceID is derived from the message (see idHasher), and no chat id, so
// Conversation is ingest.Options.Conversation or the chat name in the file
// name.
package whatsapp

import (
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"chatseal/ingest"
	"chatseal/ingest/export"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "whatsapp"

// WarnUnsafeZipEntry is the code of the input-level warning for a zip entry
// whose name is absolute or climbs out of the archive. The entry is skipped.
const WarnUnsafeZipEntry = "UNSAFE_ZIP_ENTRY"

// exportReader is the reader Open returns: a reader of the chat .txt that
// also closes the export and opens its media.
type exportReader struct {
	*reader
	exp *export.Export
	txt io.ReadCloser
}

// Open opens a WhatsApp export: a chat .txt, a zip made with media, or the
// unpacked folder of one. In a zip or folder the chat is the .txt file that
// parses as a chat (iOS names it "_chat.txt", Android "WhatsApp Chat with
// NAME.txt" or a translation), and the media sit beside it.
//
// The returned reader implements io.Closer and ingest.MediaOpener. Open
// reads ahead in the chat like NewReader's first Next, so it returns the
// error for an empty input or one that is not a WhatsApp export.
func Open(path string, opts ingest.Options) (ingest.Reader, error) {
	exp, err := export.Open(path, export.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: open %s: %w", path, err)
	}
	r, err := openChat(exp, opts)
	if err != nil {
		exp.Close()
		return nil, err
	}
	for _, name := range exp.Unsafe {
		opts.Emit(ingest.Warning{Code: WarnUnsafeZipEntry, File: path, Detail: fmt.Sprintf("zip entry %q leaves the archive and was skipped", name)})
	}
	return r, nil
}

func openChat(exp *export.Export, opts ingest.Options) (*exportReader, error) {
	txtName, err := findChat(exp)
	if err != nil {
		return nil, err
	}
	txt, _, err := exp.Open(txtName)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: open %s: %w", exp.Path, err)
	}

	n := names{label: exp.Path, txt: path.Base(txtName)}
	if exp.Kind != export.File {
		n.label = exp.Path + "/" + txtName
		n.container = filepath.Base(filepath.Clean(exp.Path))
		if dir := path.Dir(txtName); dir != "." {
			n.mediaDir = dir
		}
	}
	r := newReader(txt, n, opts)
	r.primed = true
	if err := r.prime(); err != nil {
		txt.Close()
		return nil, err
	}
	return &exportReader{reader: r, exp: exp, txt: txt}, nil
}

// Close closes the chat file and the export.
func (r *exportReader) Close() error {
	return errors.Join(r.txt.Close(), r.exp.Close())
}

// OpenMedia opens the media file at path, an Attachment.Path relative to the
// export's root, and returns its size. The error wraps fs.ErrNotExist when
// the export does not hold the file, which is always the case for an
// export made without media.
func (r *exportReader) OpenMedia(path string) (io.ReadCloser, int64, error) {
	return r.exp.Open(path)
}

// findChat returns the name of the chat .txt in exp.
//
// A file export is its own chat. In a folder or zip the candidates are the
// .txt files, other than macOS resource forks. When there are several, only
// those whose first lines parse as a chat remain, and of those, the ones
// with a name WhatsApp gives a chat. It is an error when no candidate or
// more than one remains.
func findChat(exp *export.Export) (string, error) {
	files, err := exp.Files()
	if err != nil {
		return "", fmt.Errorf("whatsapp: list %s: %w", exp.Path, err)
	}
	if exp.Kind == export.File {
		return files[0], nil
	}

	var candidates []string
	for _, f := range files {
		base := path.Base(f)
		if strings.EqualFold(path.Ext(f), ".txt") && !strings.HasPrefix(base, "._") && !strings.HasPrefix(f, "__MACOSX/") {
			candidates = append(candidates, f)
		}
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("whatsapp: %s: %w: no .txt file found in the %s, and an export stores the chat as one", exp.Path, errNotExport, exp.Kind)
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}

	candidates = slices.DeleteFunc(candidates, func(f string) bool { return !looksLikeChat(exp, f) })
	if named := slices.DeleteFunc(slices.Clone(candidates), func(f string) bool { return !isChatFileName(f) }); len(named) > 0 {
		candidates = named
	}
	switch len(candidates) {
	case 0:
		return "", fmt.Errorf("whatsapp: %s: %w: none of its .txt files starts with a message header", exp.Path, errNotExport)
	case 1:
		return candidates[0], nil
	}
	return "", fmt.Errorf("whatsapp: %s: the %s contains several chats (%s); unpack it and import one .txt at a time", exp.Path, exp.Kind, strings.Join(candidates, ", "))
}

// isChatFileName reports whether name is one WhatsApp gives a chat .txt.
func isChatFileName(name string) bool {
	base := path.Base(name)
	return base == "_chat.txt" || titleFromFileName(base) != ""
}

// looksLikeChat reports whether one of the first non-empty lines of the file
// at name is a message header.
func looksLikeChat(exp *export.Export, name string) bool {
	f, _, err := exp.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	lines := ingest.NewLineReader(io.LimitReader(f, 64<<10))
	for nonEmpty := 0; nonEmpty < 5; {
		line, err := lines.Next()
		if err != nil {
			return false
		}
		if _, ok := parseHeader(line.Bytes); ok {
			return true
		}
		if len(strings.TrimSpace(string(line.Bytes))) > 0 {
			nonEmpty++
		}
	}
	return false
}
