package whatsapp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/ingest"
)

// Limits of the look-ahead at the start of an export, which decides the date
// order, the header layout and whether the chat is a group.
const (
	// scanMaxHeaders is the number of message headers after which the
	// look-ahead stops.
	scanMaxHeaders = 5000
	// scanMinHeaders is the number of headers the look-ahead reads even when
	// the date order is already known, to judge the conversation kind.
	scanMinHeaders = 200
	// scanMaxBytes bounds the lines the look-ahead holds; the line that
	// crosses it is kept whole.
	scanMaxBytes = 4 << 20
	// sniffLines is the number of non-empty lines without a header after
	// which an input is not a WhatsApp export.
	sniffLines = 100
)

// maxAuthorBytes is the longest author slot accepted. Longer text before
// ": " is a system line that contains a colon.
const maxAuthorBytes = 256

// names are the file names of an export and the facts derived from them.
type names struct {
	label     string // the input as bad records and errors name it
	txt       string // base name of the chat's .txt
	container string // base name of the zip or folder holding it, or ""
	mediaDir  string // folder of the .txt inside the export, "" at its root
}

// reader is the ingest.Reader for one chat .txt.
type reader struct {
	lines *ingest.LineReader
	names names
	opts  ingest.Options
	zone  *zone
	ids   *idHasher
	self  string // opts.SelfName in NFC

	// Decided by the look-ahead (prime).
	primed       bool
	order        dateOrder
	shape        shape
	chatName     string // iOS: the name in the author slot of system lines
	conversation string
	title        string
	kind         chat.ConversationKind

	// pending holds the look-ahead's lines, which Next reads before the
	// rest of the input.
	pending  []rawLine
	consumed int64
	err      error // ends the input; returned by every later Next

	senders senderCache

	cur     *item // the message being read
	junk    *item // lines before the first header
	spare   *item // a finished item, reused by newItem
	maxItem int   // ingest.MaxRecordBytes, smaller in tests
}

// rawLine is one line of the input. bytes aliases the LineReader's buffer
// unless the line was copied for the look-ahead.
type rawLine struct {
	bytes   []byte
	number  int
	offset  int64
	length  int64 // without the line end
	end     int64 // offset after the line end
	tooLong bool
}

// NewReader returns a reader for a WhatsApp chat .txt read from r. name is
// the file's name: errors and bad records name it, and, unless
// opts.Conversation is set, the conversation is derived from it. An
// attachment's Path is the media file's name, as the media of an export
// sit beside its .txt.
//
// The first call to Next reads ahead up to a few thousand lines to detect
// the date order and layout, and returns an error when the input is empty
// or not a WhatsApp export.
func NewReader(r io.Reader, name string, opts ingest.Options) ingest.Reader {
	return newReader(r, names{label: name, txt: filepath.Base(name)}, opts)
}

func newReader(r io.Reader, n names, opts ingest.Options) *reader {
	return &reader{
		lines:   ingest.NewLineReader(r),
		names:   n,
		opts:    opts,
		zone:    newZone(ingest.DefaultLocation(opts.Location)),
		ids:     newIDHasher(),
		self:    norm.NFC.String(opts.SelfName),
		maxItem: ingest.MaxRecordBytes,
	}
}

// Offset returns how many bytes of the chat .txt have been consumed.
func (r *reader) Offset() int64 { return r.consumed }

// Next returns the next message, or io.EOF at the end of the input. It
// returns an *ingest.BadRecord for a message whose header has an invalid
// date or time, for a message longer than ingest.MaxRecordBytes, and for
// lines before the first message. Any other error means that the input
// cannot be read or is not a WhatsApp export.
func (r *reader) Next() (*chat.Message, error) {
	if !r.primed {
		r.primed = true
		if err := r.prime(); err != nil {
			r.err = err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	for {
		line, err := r.nextLine()
		if err == io.EOF {
			switch {
			case r.junk != nil:
				junk := r.junk
				r.junk = nil
				return nil, r.junkRecord(junk)
			case r.cur != nil:
				it := r.cur
				r.cur = nil
				return r.finish(it)
			}
			return nil, io.EOF
		}
		if err != nil {
			r.err = fmt.Errorf("whatsapp: read %s: %w", r.names.label, err)
			return nil, r.err
		}
		r.consumed = line.end

		if h, ok := r.headerOf(line.bytes); ok {
			junk, prev := r.junk, r.cur
			r.junk, r.cur = nil, r.newItem(line, h)
			if junk != nil {
				return nil, r.junkRecord(junk)
			}
			if prev != nil {
				return r.finish(prev)
			}
			continue
		}
		switch {
		case r.cur != nil:
			r.cur.add(line, r.maxItem)
		case r.junk != nil:
			r.junk.add(line, r.maxItem)
		default:
			r.junk = r.newItem(line, header{})
		}
	}
}

// headerOf returns the header that starts line, when it has the export's
// header shape.
func (r *reader) headerOf(line []byte) (header, bool) {
	h, ok := parseHeader(line)
	if !ok || h.shape() != r.shape {
		return header{}, false
	}
	return h, true
}

func (r *reader) nextLine() (rawLine, error) {
	if len(r.pending) > 0 {
		line := r.pending[0]
		r.pending[0] = rawLine{}
		r.pending = r.pending[1:]
		if len(r.pending) == 0 {
			r.pending = nil
		}
		return line, nil
	}
	return r.readLine()
}

func (r *reader) readLine() (rawLine, error) {
	line, err := r.lines.Next()
	if err != nil {
		return rawLine{}, err
	}
	return rawLine{
		bytes:   line.Bytes,
		number:  line.Number,
		offset:  line.Offset,
		length:  line.Length,
		end:     r.lines.Offset(),
		tooLong: line.TooLong,
	}, nil
}

// prime reads ahead from the start of the input and decides what holds for
// the whole export: the header shape, the date order, the iOS chat name, the
// conversation and its kind. The lines it reads are kept for Next.
func (r *reader) prime() error {
	if r.opts.Account == "" {
		return fmt.Errorf("whatsapp: read %s: ingest.Options.Account is empty; set it to the chatseal account of this input", r.names.label)
	}
	order, err := parseDateOrder(r.opts.DateOrder)
	if err != nil {
		return fmt.Errorf("whatsapp: read %s: %w", r.names.label, err)
	}

	var (
		det      orderDetector
		scan     kindScan
		headers  int
		other    int // non-empty lines before the first header
		buffered int
		shaped   bool
	)
	for {
		line, err := r.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("whatsapp: read %s: %w", r.names.label, err)
		}
		line.bytes = bytes.Clone(line.bytes)
		r.pending = append(r.pending, line)
		buffered += len(line.bytes)

		h, ok := parseHeader(line.bytes)
		if ok && shaped && h.shape() != r.shape {
			ok = false
		}
		switch {
		case ok:
			if !shaped {
				r.shape, shaped = h.shape(), true
			}
			headers++
			if order == orderUnknown {
				det.add(&h)
			}
			scan.add(&h, line.bytes)
		case headers == 0 && len(bytes.TrimSpace(line.bytes[skipMarks(line.bytes, 0):])) > 0:
			other++
		}

		proven := order != orderUnknown || det.dmy > 0 || det.mdy > 0 || (headers > 0 && len(det.open) == 0)
		if (headers == 0 && other >= sniffLines) || headers >= scanMaxHeaders || buffered >= scanMaxBytes ||
			(proven && headers >= scanMinHeaders) {
			break
		}
	}

	if headers == 0 {
		if other == 0 {
			return fmt.Errorf("whatsapp: %s: %w: the file is empty, and an export has at least one message", r.names.label, errNotExport)
		}
		return fmt.Errorf("whatsapp: %s: %w: no line of the first %d starts with a date and time such as \"15/03/2024, 08:59 - \" or \"[15/03/2024, 08:59:40] \"; check --source",
			r.names.label, errNotExport, len(r.pending))
	}

	if order == orderUnknown {
		var detail string
		order, detail = det.decide()
		if detail != "" {
			r.opts.Emit(ingest.Warning{Code: WarnDateOrderAmbiguous, File: r.names.label, Detail: detail})
		}
	}
	r.order = order
	r.chatName = scan.chatName
	r.kind = scan.kind()
	r.title, r.conversation = r.identify()
	return nil
}

// identify returns the conversation's title and id. The title is the iOS
// chat name, else the chat name in the file name. The id is
// opts.Conversation if set. Otherwise it is the chat name in the file name
// of the .txt or its container, or in the iOS author slot, else the file
// name itself. The id is in NFC, so that a name typed or stored in either
// form names one conversation.
func (r *reader) identify() (title, conversation string) {
	fromTxt := titleFromFileName(r.names.txt)
	fromContainer := ""
	if r.names.container != "" {
		fromContainer = titleFromFileName(r.names.container)
	}
	title = firstNonEmpty(r.chatName, fromTxt, fromContainer)

	conversation = r.opts.Conversation
	if conversation == "" {
		fallback := stripExt(r.names.txt)
		if r.names.container != "" {
			fallback = stripExt(r.names.container)
		}
		conversation = firstNonEmpty(fromTxt, fromContainer, r.chatName, fallback)
	}
	return title, norm.NFC.String(conversation)
}

func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if s != "" {
			return s
		}
	}
	return ""
}

// kindScan judges from the first headers whether a chat is a group. NOTE:
// an export does not record it, so a group whose start has no group system
// line (see groupPhrases) and fewer than three authors is read as a direct
// chat.
type kindScan struct {
	authors  map[string]bool
	group    bool
	chatName string
}

func (s *kindScan) add(h *header, line []byte) {
	rest := string(line[h.rest:])
	author, body, ok := splitAuthor(rest, rest)
	if ok && h.bracket {
		if name, system, isSystem := splitIOSSystem(rest, rest, s.chatName); isSystem {
			if s.chatName == "" {
				s.chatName = name
			}
			ok, body = false, trimLeadingMarks(system)
		}
	}
	if !ok {
		lower := strings.ToLower(body)
		for _, p := range groupPhrases {
			if strings.Contains(lower, p) {
				s.group = true
			}
		}
		return
	}
	if s.authors == nil {
		s.authors = map[string]bool{}
	}
	if len(s.authors) < 3 {
		s.authors[norm.NFC.String(author)] = true
	}
}

func (s *kindScan) kind() chat.ConversationKind {
	if s.group || len(s.authors) >= 3 {
		return chat.Group
	}
	return chat.Direct
}

// splitAuthor splits the text after a header into the author and the body.
// first is the text's first line. It reports false for a system line,
// which has no ": " in its first line nor ":" at its end. It also reports
// false when the author slot would be empty, longer than maxAuthorBytes, or
// hold a quotation mark, because a group name quoted in a system line may
// contain ": ".
func splitAuthor(text, first string) (author, body string, ok bool) {
	i := strings.Index(first, ": ")
	switch {
	case i >= 0:
		author, body = first[:i], text[i+2:]
	case strings.HasSuffix(first, ":"):
		author, body = first[:len(first)-1], text[len(first):]
	default:
		return "", text, false
	}
	author = trimSpaceMarks(author)
	if author == "" || len(author) > maxAuthorBytes || hasQuotationMark(author) {
		return "", text, false
	}
	return author, body, true
}

// hasQuotationMark reports whether s holds '"', '“' or '”'.
func hasQuotationMark(s string) bool {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			return true
		case s[i] == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0x9C || s[i+2] == 0x9D):
			return true
		}
	}
	return false
}

// splitIOSSystem splits the text after an iOS header into the chat name and
// the body when the text is a system line. first is the text's first line.
// The chat name may itself contain ": ", so every ": " followed by U+200E in
// the first line is tried as the end of the author slot.
func splitIOSSystem(text, first, chatName string) (name, body string, ok bool) {
	const sep = ": \u200e"
	for i := strings.Index(first, sep); i >= 0; {
		name, body = trimSpaceMarks(first[:i]), text[i+2:]
		if name != "" && isIOSSystem(body, name, chatName) {
			return name, body, true
		}
		next := strings.Index(first[i+len(sep):], sep)
		if next < 0 {
			break
		}
		i += len(sep) + next
	}
	return "", "", false
}

// isIOSSystem reports whether an iOS body after author is a system line.
// iOS writes system lines with the chat's name in the author slot and
// U+200E before the body. It also puts U+200E before attachments, omitted
// media, deleted messages and calls, which are the author's own, so a body
// that parses as one of those is not a system line. Once the chat name is
// known, a body whose author differs from it is not one either.
func isIOSSystem(body, author, chatName string) bool {
	if !strings.HasPrefix(body, "\u200e") {
		return false
	}
	if chatName != "" && author != chatName {
		return false
	}
	c := parseBody(body, "")
	if c.attach != nil || c.unsent {
		return false
	}
	return !hasSenderPrefix(trimLeadingMarks(body))
}

// senderCache holds the participants of the authors seen last, so that a
// name is normalised once and shared by its messages.
type senderCache map[string]chat.Participant

// maxCachedSenders bounds a senderCache; it is emptied when full.
const maxCachedSenders = 4096

// participant returns the sender of a message by author: Name is the name
// as written, ID its NFC form, the only identity an export gives, and Phone
// the number when the author slot holds one.
func (c *senderCache) participant(author string) chat.Participant {
	if p, ok := (*c)[author]; ok {
		return p
	}
	if *c == nil || len(*c) >= maxCachedSenders {
		*c = senderCache{}
	}
	name := strings.Clone(author) // the key must not pin the message's text
	p := chat.Participant{ID: norm.NFC.String(name), Name: name, Phone: phoneOf(name)}
	(*c)[name] = p
	return p
}

// item is the lines of one message, or of the text before the first
// message, as read so far.
type item struct {
	raw       []byte // the lines as in the input, without the last line end
	number    int    // line number of the first line
	offset    int64  // offset of the first line
	hdr       header
	last      rawLine // the last line added, for its line end
	size      int64   // the item's full length in the input
	crlf      bool    // a line of the item ends with "\r\n"
	truncated bool    // raw holds only the first maxItem bytes
}

func (r *reader) newItem(line rawLine, h header) *item {
	it := r.spare
	if it == nil {
		it = new(item)
	}
	r.spare = nil
	*it = item{number: line.number, offset: line.offset, hdr: h, last: line, size: line.length}
	n := min(len(line.bytes), r.maxItem)
	it.raw = append(make([]byte, 0, n), line.bytes[:n]...)
	it.truncated = line.tooLong || line.length > int64(r.maxItem)
	return it
}

// add appends a continuation line, after the line end of the line before.
func (it *item) add(line rawLine, maxItem int) {
	lineEnd := "\n"
	if line.offset-(it.last.offset+it.last.length) == 2 {
		lineEnd = "\r\n"
		it.crlf = true
	}
	it.last = line
	it.size += int64(len(lineEnd)) + line.length
	if line.tooLong || it.size > int64(maxItem) {
		it.truncated = true
	}
	it.raw = appendCapped(it.raw, lineEnd, maxItem)
	it.raw = appendCapped(it.raw, line.bytes, maxItem)
}

// appendCapped appends as much of part to buf as keeps it within limit
// bytes.
func appendCapped[T string | []byte](buf []byte, part T, limit int) []byte {
	room := max(0, limit-len(buf))
	return append(buf, part[:min(room, len(part))]...)
}

func (r *reader) junkRecord(it *item) *ingest.BadRecord {
	return r.badRecord(it, fmt.Sprintf("%d bytes before the first message header belong to no message", it.size))
}

func (r *reader) badRecord(it *item, reason string) *ingest.BadRecord {
	return &ingest.BadRecord{
		File:      r.names.label,
		Line:      it.number,
		Offset:    it.offset,
		Reason:    reason,
		Raw:       it.raw,
		Truncated: it.truncated,
	}
}

// finish turns a complete item into a message, or into a bad record when
// its date or time is invalid or it is too long. The message or bad record
// takes over it.raw, and it is kept for reuse.
func (r *reader) finish(it *item) (*chat.Message, error) {
	defer func() {
		*it = item{}
		r.spare = it
	}()
	if it.truncated {
		return nil, r.badRecord(it, fmt.Sprintf("message is %d bytes long, more than the limit of %d bytes; only its start is kept", it.size, r.maxItem))
	}
	wall, reason := it.hdr.wallClock(r.order)
	if reason != "" {
		return nil, r.badRecord(it, reason)
	}
	sentAt, zoneWarning := r.zone.instant(wall)

	text := string(it.raw[it.hdr.rest:])
	if it.crlf {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	first, _, _ := strings.Cut(text, "\n")
	author, body, hasAuthor := splitAuthor(text, first)
	system := !hasAuthor
	if hasAuthor && it.hdr.bracket {
		if name, rest, ok := splitIOSSystem(text, first, r.chatName); ok {
			author, body, system = name, rest, true
		}
	}

	m := &chat.Message{
		Source:            Source,
		Account:           r.opts.Account,
		Conversation:      r.conversation,
		ConversationKind:  r.kind,
		ConversationTitle: r.title,
		SentAt:            sentAt,
		Direction:         chat.Inbound,
		Raw:               it.raw,
	}
	if zoneWarning != "" {
		m.Warnings = []string{zoneWarning}
	}

	if system {
		if hasAuthor {
			text = body // iOS: the chat name is not the sender
		}
		m.Kind = chat.KindSystem
		m.Text = removeMarks(text)
		m.SourceID = r.ids.sourceID(r.conversation, wall, "", text)
		return m, nil
	}

	m.Sender = r.senders.participant(author)
	senderID := m.Sender.ID
	if r.self != "" && senderID == r.self {
		m.Direction = chat.Outbound
	}
	c := parseBody(body, r.names.mediaDir)
	m.Kind, m.Text, m.Edited = c.kind, c.text, c.edited
	if c.unsent {
		m.Flags = []string{"unsent"}
	}
	if c.attach != nil {
		m.Attachments = []chat.Attachment{*c.attach}
	}
	m.SourceID = r.ids.sourceID(r.conversation, wall, senderID, body)
	return m, nil
}

// errNotExport is wrapped by the errors for inputs that are not WhatsApp
// exports.
var errNotExport = errors.New("not a WhatsApp chat export")
