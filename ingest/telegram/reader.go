// Package telegram imports the JSON export of Telegram Desktop ("Export chat
// history" or "Export Telegram data" with the "Machine-readable JSON"
// format). The source of truth for the format is Telegram Desktop's own
// writer, Telegram/SourceFiles/export/output/export_output_json.cpp
// (SerializeMessage, SerializeText, SerializeString), read in its 2024
// version.
//
// The input is result.json, given as the file itself, the export folder
// holding it, or a zip of that folder. It has one of two shapes:
//
//   - a single-chat export: {name, type, id, messages: [...]};
//   - a full-account export: {about, personal_information, ...,
//     chats: {about, list: [...]}, left_chats: {about, list: [...]}}, each
//     list item shaped like a single-chat export.
//
// The file can be gigabytes long. It is read as a stream, one message object
// at a time, so memory stays flat: no value longer than
// ingest.MaxRecordBytes is held, and a longer one ends the input with an
// error.
//
// Every message keeps its object's bytes exactly as in the file in Raw. Its
// Conversation is the chat's "id" and its SourceID the message's "id", both
// in decimal. Message ids repeat across chats, so only the two together
// identify a message.
//
// SentAt comes from "date_unixtime", an absolute time. "date" is the wall
// clock of the exporting computer without an offset. It is used, in
// ingest.Options.Location, only when "date_unixtime" is missing, and the
// message then carries warning LOCAL_TIME_ONLY. A message with no time at
// all, such as the stub {"id", "type": "unsupported"} that Telegram writes
// for content it could not export, takes the time of its neighbour in the
// chat, so that it keeps its place when messages are sorted by time.
//
// The archive owner is known in a full-account export, where
// personal_information gives the user id: a message whose from_id (actor_id
// for service messages) is that user is outbound. A single-chat export does
// not say who exported it, so every message is inbound unless its sender's
// name equals ingest.Options.SelfName.
//
// Repaired: Telegram Desktop writes control characters as \xHH, which is not
// valid JSON. They are read as the characters U+0000 to U+001F they encode,
// and each message with one carries warning INVALID_JSON_ESCAPE_REPAIRED
// while its Raw keeps the \xHH. Warned about: members and message types this
// importer does not know (UNKNOWN_FIELD, UNSUPPORTED_MESSAGE, and
// UNKNOWN_MSGTYPE for a service action), files the export did not include
// (MEDIA_NOT_IN_EXPORT) and members of the wrong type (INVALID_FIELD).
// Never done: no message is merged or silently dropped (one that cannot be
// read becomes an *ingest.BadRecord), no text is normalised, and no path
// from the export is opened outside the export.
package telegram

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
)

// Source is the chat.Message.Source of every message this package reads.
const Source = "telegram"

// resultName is the file name Telegram Desktop gives the JSON export.
const resultName = "result.json"

// Reader reads the messages of one result.json. It implements
// ingest.Reader, io.Closer and ingest.MediaOpener.
type Reader struct {
	file string // names the input in errors, warnings and bad records
	opts ingest.Options
	loc  *time.Location

	exp *export.Export // nil when the reader was made with NewReader
	// dir is the folder of result.json inside the export, "" at its root.
	// Media paths in the file are relative to it.
	dir    string
	closer io.Closer

	s *stream
	// members is reused for the member spans of each message.
	members []memberSpan
	names   nameCache
	textBuf []byte // reused by parseText

	started bool
	stack   []frame
	conv    chatState
	// sawChat is set once a "messages" array has been found, and
	// sawAccount once personal_information, chats or left_chats has. Either
	// makes the input a Telegram export.
	sawChat, sawAccount bool
	self                chat.Participant

	queue []result
	err   error // ends reading; returned by every later Next

	listed   map[string]int // warnings emitted one by one, by code and field
	unlisted map[string]int // warnings past maxListed, by code and field
}

// frame is an object or array the reader is inside.
type frame struct {
	at level
	// n counts the members or elements read so far.
	n int
}

// level is a place in the document that the reader walks token by token.
type level int

const (
	levelTop      level = iota // the top-level object
	levelChats                 // the object of "chats" or "left_chats"
	levelChatList              // its "list" array
	levelChat                  // one chat object of the list
	levelMessages              // a "messages" array
)

// chatState is the chat whose members are being read.
type chatState struct {
	conversation
	// hasID and hasType record which of the chat's members have been read.
	hasID, hasType bool
	typ            string
	// lastTime is the time of the chat's last dated message.
	lastTime time.Time
	// pending holds messages without a time that wait for the chat's first
	// dated message, each with the bad record it becomes if none comes.
	pending []result
}

// result is one outcome of the input: a message or a bad record.
type result struct {
	msg *chat.Message
	bad *ingest.BadRecord
}

// maxPending is how many undated messages at the start of a chat wait for
// a dated one. Past it they become bad records, so memory stays bounded.
const maxPending = 1000

// maxListed is how many warnings of one code and field are emitted one by
// one. The rest are counted and emitted as one warning at the end.
const maxListed = 20

// Open opens a Telegram Desktop JSON export: result.json itself, the export
// folder holding it, or a zip of that folder. In a folder or zip the
// result.json nearest the root is read. The returned reader is a *Reader;
// close it when done.
func Open(p string, opts ingest.Options) (ingest.Reader, error) {
	exp, err := export.Open(p, export.DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("telegram: open %s: %w", p, err)
	}
	name := exp.Name()
	file := p
	if exp.Kind != export.File {
		name, err = findResult(exp)
		if err != nil {
			exp.Close()
			return nil, err
		}
		file = p + "/" + name
	}
	rc, _, err := exp.Open(name)
	if err != nil {
		exp.Close()
		return nil, fmt.Errorf("telegram: open %s: %w", file, err)
	}
	r := NewReader(rc, file, opts)
	r.exp = exp
	r.closer = rc
	if dir := path.Dir(name); dir != "." {
		r.dir = dir
	}
	return r, nil
}

// findResult returns the path of result.json in a folder or zip export: at
// the root, or else the one nearest the root.
func findResult(exp *export.Export) (string, error) {
	if _, err := exp.Stat(resultName); err == nil {
		return resultName, nil
	}
	files, err := exp.Files()
	if err != nil {
		return "", fmt.Errorf("telegram: list %s: %w", exp.Path, err)
	}
	var found []string
	html := false
	for _, f := range files {
		switch path.Base(f) {
		case resultName:
			found = append(found, f)
		case "messages.html":
			html = true
		}
	}
	if len(found) == 0 {
		if html {
			return "", fmt.Errorf("telegram: %s: this is Telegram's HTML export (messages.html), which cannot be imported; export again with the format \"Machine-readable JSON\"", exp.Path)
		}
		return "", fmt.Errorf("telegram: %s: %s not found; a Telegram Desktop JSON export contains %s; check --source", exp.Path, resultName, resultName)
	}
	depth := func(f string) int { return strings.Count(f, "/") }
	sort.SliceStable(found, func(i, j int) bool { return depth(found[i]) < depth(found[j]) })
	if len(found) > 1 && depth(found[0]) == depth(found[1]) {
		return "", fmt.Errorf("telegram: %s: %d files named %s at the same depth (%s, %s); give the path of one of them", exp.Path, len(found), resultName, found[0], found[1])
	}
	return found[0], nil
}

// NewReader returns a reader of the result.json stream rd. file names the
// input in errors, warnings and bad records. Attachment paths are those in
// the file, and OpenMedia finds no media. opts.Account is required; Next
// returns an error without reading when it is empty.
func NewReader(rd io.Reader, file string, opts ingest.Options) *Reader {
	return &Reader{
		file:     file,
		opts:     opts,
		loc:      ingest.DefaultLocation(opts.Location),
		s:        newStream(rd),
		listed:   map[string]int{},
		unlisted: map[string]int{},
	}
}

// Next returns the next message, an *ingest.BadRecord for an element of a
// messages array that cannot be a message, or io.EOF after the last
// message. Any other error ends the input, for a file that is not a
// Telegram export, is cut short or is not valid JSON. Every message before
// such an error has been returned, a message still waiting for the time of
// a later one as a bad record.
func (r *Reader) Next() (*chat.Message, error) {
	if r.opts.Account == "" {
		return nil, fmt.Errorf("telegram: read %s: ingest.Options.Account is empty; set it to the chatseal account of this input", r.file)
	}
	for {
		if len(r.queue) > 0 {
			res := r.queue[0]
			r.queue[0] = result{}
			r.queue = r.queue[1:]
			if res.bad != nil {
				return nil, res.bad
			}
			return res.msg, nil
		}
		if r.err != nil {
			return nil, r.err
		}
		if err := r.step(); err != nil {
			if err != io.EOF {
				r.dropPending("message has no time, and the input ended before a dated message of its chat")
			}
			r.err = err
		}
	}
}

// Offset returns how many bytes of result.json have been consumed.
func (r *Reader) Offset() int64 {
	return r.s.offset()
}

// Close closes result.json and the export holding it.
func (r *Reader) Close() error {
	var err error
	if r.closer != nil {
		err = r.closer.Close()
	}
	if r.exp != nil {
		err = errors.Join(err, r.exp.Close())
	}
	return err
}

// OpenMedia opens the attachment at p, an Attachment.Path that the reader
// returned, inside the export. It returns an error wrapping fs.ErrNotExist
// when the export does not hold the file.
func (r *Reader) OpenMedia(p string) (io.ReadCloser, int64, error) {
	if r.exp == nil {
		return nil, 0, fmt.Errorf("telegram: %s: no export folder to open media from: %w", p, fs.ErrNotExist)
	}
	return r.exp.Open(p)
}

// Self returns the archive owner as personal_information gives it in a
// full-account export: the id in from_id form ("user6330000001") and the
// first and last name. ok is false until that member has been read, and
// always for a single-chat export.
func (r *Reader) Self() (self chat.Participant, ok bool) {
	return r.self, r.self.ID != ""
}

// step reads the document up to the next message, or one member of an
// object, and queues what it finds. It returns io.EOF at the end of the
// document.
func (r *Reader) step() error {
	if !r.started {
		return r.start()
	}
	top := &r.stack[len(r.stack)-1]
	closing := byte('}')
	if top.at == levelMessages || top.at == levelChatList {
		closing = ']'
	}
	c, err := r.s.peek()
	if err != nil {
		return r.readError(err)
	}
	if c == closing {
		r.s.pos++
		return r.leave()
	}
	if top.n > 0 {
		if c != ',' {
			return r.readError(r.s.unexpected(c, fmt.Sprintf("',' or '%c'", closing)))
		}
		r.s.pos++
	}
	top.n++

	switch top.at {
	case levelMessages:
		return r.readMessage()
	case levelChatList:
		return r.open('{', levelChat, "chats.list")
	}
	name, err := r.s.name()
	if err != nil {
		return r.readError(err)
	}
	return r.member(name)
}

// start reads the opening of the document.
func (r *Reader) start() error {
	r.started = true
	r.s.skipBOM()
	c, err := r.s.peek()
	if err == io.EOF {
		return fmt.Errorf("telegram: %s: the file is empty; the result.json of a Telegram Desktop export contains a JSON object", r.file)
	}
	if err != nil {
		return r.readError(err)
	}
	switch c {
	case '{':
	case '[':
		return fmt.Errorf("telegram: %s: not a Telegram Desktop export: want a JSON object at the top level, got an array; check --source", r.file)
	case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
		return fmt.Errorf("telegram: %s: not a Telegram Desktop export: want a JSON object at the top level, got a JSON scalar; check --source", r.file)
	default:
		return fmt.Errorf("telegram: %s: not a Telegram Desktop export: the file is not JSON (it starts with %s); check --source", r.file, describeByte(c))
	}
	r.s.pos++
	r.stack = append(r.stack, frame{at: levelTop})
	return nil
}

// member reads the value of member name of the object at the top of the
// stack.
func (r *Reader) member(name string) error {
	switch at := r.stack[len(r.stack)-1].at; {
	case at == levelChats && name == "list":
		return r.open('[', levelChatList, "list")

	case at == levelTop && (name == "chats" || name == "left_chats"):
		r.sawAccount = true
		return r.open('{', levelChats, name)

	case at == levelTop && name == "personal_information":
		r.sawAccount = true
		return r.readPersonal()

	case at == levelTop || at == levelChat:
		switch name {
		case "name", "type", "id":
			return r.readChatMember(name)
		case "messages":
			return r.startMessages()
		}
	}
	return r.skipValue()
}

// open enters the object or array that starts the next value, whose
// opening delimiter must be delim. Any other value is skipped with a
// warning naming field.
func (r *Reader) open(delim byte, next level, field string) error {
	c, err := r.s.peek()
	if err != nil {
		return r.readError(err)
	}
	if c != delim {
		r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: field, Detail: fmt.Sprintf("want '%c', got %s; skipped", delim, describeByte(c))})
		return r.skipValue()
	}
	r.s.pos++
	r.stack = append(r.stack, frame{at: next})
	if next == levelChat {
		r.conv = chatState{}
	}
	return nil
}

// leave leaves the object or array at the top of the stack, whose closing
// delimiter has been read.
func (r *Reader) leave() error {
	at := r.stack[len(r.stack)-1].at
	r.stack = r.stack[:len(r.stack)-1]
	switch at {
	case levelMessages:
		r.endChat()
		return nil
	case levelTop:
	default:
		return nil
	}

	if !r.sawChat && !r.sawAccount {
		return fmt.Errorf("telegram: %s: not a Telegram Desktop export: no \"messages\" array at the top level and no personal_information or chats; check --source", r.file)
	}
	if c, err := r.s.peek(); err != io.EOF {
		if err != nil {
			return r.readError(err)
		}
		return fmt.Errorf("telegram: %s: unexpected %s after the end of the JSON document at byte offset %d; the file may be damaged", r.file, describeByte(c), r.Offset())
	}
	r.finish()
	return io.EOF
}

// readChatMember reads the name, type or id of the current chat.
func (r *Reader) readChatMember(name string) error {
	raw, err := r.value(name)
	if err != nil {
		return err
	}
	switch name {
	case "name":
		title, ok := optionalString(raw)
		if !ok {
			r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: "name", Detail: "chat name is not a string; left empty"})
		}
		r.conv.title = title
	case "type":
		typ, ok := optionalString(raw)
		if !ok {
			r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: "type", Detail: "chat type is not a string"})
		}
		r.conv.typ, r.conv.hasType = typ, true
	case "id":
		id, ok := integerText(raw)
		if !ok {
			return fmt.Errorf("telegram: %s: chat \"id\" before byte offset %d is not an integer; the file is not a Telegram Desktop export or is damaged", r.file, r.Offset())
		}
		// NOTE: Telegram numbers users, basic groups and channels
		// independently, and the export writes only the bare number, so a
		// user and a channel with the same number would share one
		// Conversation.
		r.conv.id, r.conv.hasID = id, true
	}
	return nil
}

// startMessages enters a "messages" array, once the chat's id and type are
// known.
//
// NOTE: Telegram Desktop writes a chat's name, type and id before its
// messages, and the reader relies on it: messages are returned as they are
// read, so a chat id written after them would come too late. Such a file,
// rewritten by another tool, is rejected with an error rather than read
// with a guessed conversation. A name written after the messages is lost
// from ConversationTitle.
func (r *Reader) startMessages() error {
	c, err := r.s.peek()
	if err != nil {
		return r.readError(err)
	}
	if !r.conv.hasID || !r.conv.hasType {
		return fmt.Errorf("telegram: %s: not a Telegram Desktop export: the \"messages\" array at byte offset %d does not follow the chat's \"id\" and \"type\", which Telegram Desktop writes first; check --source, or restore the member order if another tool rewrote the file", r.file, r.Offset())
	}
	if c != '[' {
		return fmt.Errorf("telegram: %s: \"messages\" at byte offset %d is not an array (it starts with %s); check --source", r.file, r.Offset(), describeByte(c))
	}
	r.s.pos++
	r.sawChat = true
	r.conv.kind = r.chatKind(r.conv.typ)
	r.stack = append(r.stack, frame{at: levelMessages})
	return nil
}

// chatKinds maps Telegram's chat types to conversation kinds.
var chatKinds = map[string]chat.ConversationKind{
	"personal_chat":      chat.Direct,
	"bot_chat":           chat.Direct,
	"saved_messages":     chat.Direct,
	"replies":            chat.Direct,
	"private_group":      chat.Group,
	"private_supergroup": chat.Group,
	"public_supergroup":  chat.Group,
	"private_channel":    chat.Channel,
	"public_channel":     chat.Channel,
}

// chatKind returns the conversation kind of a chat type. An unknown type,
// or null, which Telegram writes for a chat it could not classify, is read
// as a group, and warned about.
func (r *Reader) chatKind(typ string) chat.ConversationKind {
	if kind, ok := chatKinds[typ]; ok {
		return kind
	}
	r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: "type", Detail: fmt.Sprintf("chat %s has unknown type %s; read as a group", r.conv.id, quoteShort(typ))})
	return chat.Group
}

// readPersonal reads personal_information, which names the archive owner.
//
// NOTE: Telegram Desktop writes personal_information before the chats.
// Messages read before it, in a file reordered by another tool, are all
// inbound.
func (r *Reader) readPersonal() error {
	raw, err := r.value("personal_information")
	if err != nil {
		return err
	}
	var id, first, last string
	ok := eachMember(raw, func(name, value []byte) {
		switch string(name) {
		case "user_id":
			id, _ = integerText(value)
		case "first_name":
			first, _ = optionalString(value)
		case "last_name":
			last, _ = optionalString(value)
		}
	})
	if !ok || id == "" {
		r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: "personal_information", Detail: "no integer user_id; every message is read as inbound"})
		return nil
	}
	if r.sawChat {
		r.emit(ingest.Warning{Code: ingest.WarnInvalidField, Field: "personal_information", Detail: "comes after the chats; messages read before it are inbound"})
	}
	r.self = chat.Participant{ID: "user" + id, Name: strings.TrimSpace(first + " " + last)}
	return nil
}

// readMessage reads one element of a "messages" array.
func (r *Reader) readMessage() error {
	value, repairs, err := r.s.value(maxItemBytes, len(r.stack), &r.members)
	if err != nil {
		return r.readError(err)
	}
	offset := r.s.offset() - int64(len(value))
	raw := bytes.Clone(value)

	p, reason := r.parseMessage(raw, r.members, &r.conv.conversation)
	if reason != "" {
		r.queue = append(r.queue, result{bad: &ingest.BadRecord{File: r.file, Offset: offset, Reason: reason, Raw: raw}})
		return nil
	}
	if repairs > 0 {
		p.msg.Warnings = append(p.msg.Warnings, ingest.WarnInvalidEscapeRepaired)
		r.emit(ingest.Warning{Code: ingest.WarnInvalidEscapeRepaired, SourceID: p.msg.SourceID, Count: repairs})
	}
	r.place(p, offset)
	return nil
}

// place queues a parsed message. A message without a time of its own, such
// as an "unsupported" stub, takes the time of the message before it in its
// chat. At the start of a chat it takes the time of the first dated message
// after it. Either way, sorting by time keeps it in its place in the export.
func (r *Reader) place(p parsed, offset int64) {
	if p.dated {
		r.conv.lastTime = p.msg.SentAt
		for _, waiting := range r.conv.pending {
			waiting.msg.SentAt = p.msg.SentAt
			r.queue = append(r.queue, result{msg: waiting.msg})
		}
		r.conv.pending = nil
		r.queue = append(r.queue, result{msg: p.msg})
		return
	}
	if !r.conv.lastTime.IsZero() {
		p.msg.SentAt = r.conv.lastTime
		r.queue = append(r.queue, result{msg: p.msg})
		return
	}
	r.conv.pending = append(r.conv.pending, result{msg: p.msg, bad: &ingest.BadRecord{File: r.file, Offset: offset, Raw: p.msg.Raw}})
	if len(r.conv.pending) >= maxPending {
		r.dropPending(fmt.Sprintf("message has no time, and none of the %d messages before it in its chat has one", maxPending))
	}
}

// endChat ends a "messages" array.
func (r *Reader) endChat() {
	r.dropPending("message has no time, and no message of its chat has one to place it by")
	r.conv.lastTime = time.Time{}
}

// dropPending queues the undated messages waiting for a time as bad
// records with reason.
func (r *Reader) dropPending(reason string) {
	for _, waiting := range r.conv.pending {
		waiting.bad.Reason = reason
		r.queue = append(r.queue, result{bad: waiting.bad})
	}
	r.conv.pending = nil
}

// finish emits the warnings counted while reading.
func (r *Reader) finish() {
	keys := make([]string, 0, len(r.unlisted))
	for k := range r.unlisted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		code, field, _ := strings.Cut(k, "\x00")
		n := r.unlisted[k]
		r.opts.Emit(ingest.Warning{
			Code:   code,
			File:   r.file,
			Field:  field,
			Count:  n,
			Detail: fmt.Sprintf("%d more messages carry this warning code beyond the %d listed one by one", n, maxListed),
		})
	}
}

// warnRepairs emits a warning for n \xHH escapes repaired in field, a
// member outside the messages.
func (r *Reader) warnRepairs(field string, n int) {
	if n > 0 {
		r.emit(ingest.Warning{Code: ingest.WarnInvalidEscapeRepaired, Field: field, Count: n})
	}
}

// emit reports an input-level warning: the first maxListed of each code and
// field one by one, the rest counted for finish.
func (r *Reader) emit(w ingest.Warning) {
	w.File = r.file
	key := w.Code + "\x00" + w.Field
	if r.listed[key] < maxListed {
		r.listed[key]++
		r.opts.Emit(w)
		return
	}
	r.unlisted[key]++
}

// value returns the next JSON value, which must be a small one: a chat
// member or personal_information. It warns about \xHH escapes repaired in
// it, naming the value field.
func (r *Reader) value(field string) ([]byte, error) {
	raw, repairs, err := r.s.value(maxItemBytes, len(r.stack), nil)
	if err != nil {
		return nil, r.readError(err)
	}
	r.warnRepairs(field, repairs)
	return raw, nil
}

// skipValue reads past the next JSON value.
func (r *Reader) skipValue() error {
	if err := r.s.skip(len(r.stack)); err != nil {
		return r.readError(err)
	}
	return nil
}

// readError turns an error of the stream into one that names the file and
// the byte offset.
func (r *Reader) readError(err error) error {
	var syntax *syntaxError
	switch {
	case errors.Is(err, errItemTooLarge):
		return fmt.Errorf("telegram: %s: the JSON value at byte offset %d is longer than %d bytes, far longer than any Telegram message; the file is damaged", r.file, r.Offset(), maxItemBytes)
	case errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF:
		return fmt.Errorf("telegram: %s: the file ends inside the JSON document at byte offset %d; it is cut short, so copy or export it again", r.file, r.s.base+int64(len(r.s.buf)))
	case errors.As(err, &syntax):
		return fmt.Errorf("telegram: %s: invalid JSON at byte offset %d: %s", r.file, syntax.offset, syntax.msg)
	}
	return fmt.Errorf("telegram: read %s: %w", r.file, err)
}
