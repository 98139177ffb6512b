package slack

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/internal/jsonscan"
)

// contentSubtypes are the message subtypes that carry what a person or bot
// wrote. Every other subtype (channel_join, channel_topic, pinned_item, …)
// is a system event.
var contentSubtypes = map[string]bool{
	"":                  true,
	"bot_message":       true,
	"me_message":        true,
	"thread_broadcast":  true,
	"reply_broadcast":   true,
	"file_share":        true,
	"slackbot_response": true,
}

// flagSenderDeleted marks a message whose sender's account was deleted.
const flagSenderDeleted = "sender_deleted"

// fields are the members of a Slack message that the importer reads. Values
// of the wrong type are left empty and set invalid.
type fields struct {
	typ, subtype string
	ts           []byte // raw
	threadTS     []byte // raw
	user         string
	botID        string
	username     string
	text         string
	clientMsgID  string
	edited       []byte
	reactions    []byte
	files        []byte
	attachments  []byte
	userProfile  []byte
	botProfile   []byte
	invalid      bool
}

// parseElement turns one element of a day file into a message. It returns a
// bad record for an element that is not a message object, and neither for a
// message without ts, which it skips with a MISSING_TS warning.
func (r *reader) parseElement(el element) (*chat.Message, *ingest.BadRecord) {
	d := r.cur
	bad := func(reason string) *ingest.BadRecord {
		return &ingest.BadRecord{
			File:      d.file,
			Line:      el.line,
			Offset:    el.offset,
			Reason:    fmt.Sprintf("element %d: %s", el.index, reason),
			Raw:       bytes.Clone(el.raw),
			Truncated: el.truncated,
		}
	}
	switch {
	case el.truncated:
		return nil, bad(fmt.Sprintf("message is %d bytes long, more than the limit of %d bytes; only its start is kept", el.length, ingest.MaxRecordBytes))
	case el.incomplete:
		return nil, bad(fmt.Sprintf("the file ends inside the message, after %d bytes of it; it may be truncated", el.length))
	}
	members := el.members
	if !el.valid {
		end, ok := jsonscan.Check(el.raw)
		if !ok || end != len(el.raw) {
			return nil, bad(fmt.Sprintf("invalid JSON: syntax error at byte %d of the message, counting from 1", end+1))
		}
		if el.raw[0] != '{' {
			return nil, bad("want a JSON object, got " + jsonscan.TypeName(el.raw))
		}
		jsonscan.CheckObject(el.raw, &members)
	}

	f := r.readFields(members)
	if jsonscan.IsNull(f.ts) {
		// NOTE: the skipped message's bytes are not kept anywhere:
		// ingest.Warning has no room for them, and a bad record would make
		// the import look failed. The warning names the file and index, so
		// the message can be found again in the export.
		r.opts.Emit(ingest.Warning{Code: ingest.WarnMissingTS, File: d.file, Index: el.index, Detail: "message has no ts, so it has neither a time nor an id; it was skipped"})
		return nil, nil
	}
	ts, sentAt, reason := parseTS(f.ts)
	if reason != "" {
		return nil, bad(`field "ts": ` + reason)
	}

	raw := r.keep(el.raw)
	m := &chat.Message{
		Source:            Source,
		SourceID:          ts,
		ClientID:          f.clientMsgID,
		Account:           r.opts.Account,
		Conversation:      d.day.conv.id,
		ConversationKind:  d.day.conv.kind,
		ConversationTitle: d.day.conv.title,
		SentAt:            sentAt.In(r.loc),
		Text:              f.text,
		Raw:               raw,
	}
	if f.invalid {
		addWarning(m, ingest.WarnInvalidField)
	}
	r.fillSender(m, &f)
	r.fillKind(m, &f)
	r.fillThread(m, &f)
	r.fillEdited(m, &f)
	r.fillReactions(m, &f)
	r.fillText(m, &f)
	return m, nil
}

// maxInterned bounds the strings an interner keeps.
const maxInterned = 4096

// interner returns the same string each time it reads the same short
// value, so that the user ids, types and names repeated in every message
// cost one allocation each rather than one per message.
type interner map[string]string

// value returns the string that raw contains, as jsonscan.StringValue does.
func (in interner) value(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || len(raw) > 66 {
		return jsonscan.StringValue(raw)
	}
	body := raw[1 : len(raw)-1]
	if s, ok := in[string(body)]; ok {
		return s, true
	}
	s, ok := jsonscan.StringValue(raw)
	if ok && len(in) < maxInterned && string(body) == s {
		in[s] = s
	}
	return s, ok
}

// slabSize is the size of the blocks that hold the Raw bytes of messages.
// Copying many messages into one block costs less than one allocation each;
// a block stays in memory while any of its messages does.
const slabSize = 64 << 10

// keep returns a copy of raw that the reader never changes, carved from the
// current slab when raw is small.
func (r *reader) keep(raw []byte) []byte {
	if len(raw) > slabSize/8 {
		return bytes.Clone(raw)
	}
	if len(r.slab)+len(raw) > cap(r.slab) {
		r.slab = make([]byte, 0, slabSize)
	}
	start := len(r.slab)
	r.slab = append(r.slab, raw...)
	return r.slab[start:len(r.slab):len(r.slab)]
}

// readFields reads the members of a valid message object.
func (r *reader) readFields(members []jsonscan.Member) fields {
	var f fields
	str := func(dst *string, value []byte) {
		s, ok := jsonscan.StringValue(value)
		if !ok {
			f.invalid = true
		}
		*dst = s
	}
	// name reads a value that repeats from message to message, such as a
	// user id, without a new string each time.
	name := func(dst *string, value []byte) {
		s, ok := r.names.value(value)
		if !ok {
			f.invalid = true
		}
		*dst = s
	}
	obj := func(dst *[]byte, value []byte, want byte) {
		switch {
		case jsonscan.IsNull(value):
		case value[0] == want:
			*dst = value
		default:
			f.invalid = true
		}
	}

	for _, m := range members {
		switch string(m.DecodedName()) {
		case "type":
			name(&f.typ, m.Value)
		case "subtype":
			name(&f.subtype, m.Value)
		case "ts":
			f.ts = m.Value
		case "thread_ts":
			f.threadTS = m.Value
		case "user":
			name(&f.user, m.Value)
		case "bot_id":
			name(&f.botID, m.Value)
		case "username":
			name(&f.username, m.Value)
		case "text":
			str(&f.text, m.Value)
		case "client_msg_id":
			str(&f.clientMsgID, m.Value)
		case "edited":
			obj(&f.edited, m.Value, '{')
		case "reactions":
			obj(&f.reactions, m.Value, '[')
		case "files":
			obj(&f.files, m.Value, '[')
		case "attachments":
			obj(&f.attachments, m.Value, '[')
		case "user_profile":
			obj(&f.userProfile, m.Value, '{')
		case "bot_profile":
			obj(&f.botProfile, m.Value, '{')
		}
	}
	return f
}

// maxUnixSeconds is the last second of the year 9999 less a day, so that
// SentAt stays within the years that RFC 3339, and so chat.EncodeRecord,
// can write in any zone.
const maxUnixSeconds = 253402300799 - 24*3600

// parseTS reads a ts, "seconds.microseconds" since 1970 UTC. It takes the
// digits as they are written, so the returned id is the exact text and the
// time keeps every digit of the fraction (up to nanoseconds). A JSON number
// is accepted too and its text kept, as some tools that rewrite exports
// write one.
func parseTS(raw []byte) (id string, t time.Time, reason string) {
	switch {
	case raw[0] == '"':
		id = jsonscan.DecodeString(raw)
	case raw[0] == '-' || isDigit(raw[0]):
		id = string(raw)
	default:
		return "", time.Time{}, "want a string \"seconds.microseconds\", got " + jsonscan.TypeName(raw)
	}
	t, ok := tsTime(id)
	if !ok {
		return "", time.Time{}, "want \"seconds.microseconds\", got " + jsonscan.QuoteShort(id)
	}
	return id, t, ""
}

// tsTime parses "seconds" or "seconds.fraction", with 1 to 12 digits of
// seconds and 1 to 9 digits of fraction, as a time.
func tsTime(s string) (time.Time, bool) {
	secText, fracText, hasFrac := strings.Cut(s, ".")
	if len(secText) == 0 || len(secText) > 12 || (hasFrac && (len(fracText) == 0 || len(fracText) > 9)) {
		return time.Time{}, false
	}
	var sec, nsec int64
	for i := 0; i < len(secText); i++ {
		if !isDigit(secText[i]) {
			return time.Time{}, false
		}
		sec = sec*10 + int64(secText[i]-'0')
	}
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(fracText) {
			if !isDigit(fracText[i]) {
				return time.Time{}, false
			}
			nsec += int64(fracText[i] - '0')
		}
	}
	if sec > maxUnixSeconds {
		return time.Time{}, false
	}
	return time.Unix(sec, nsec), true
}

// fillSender sets Sender, Direction and the sender_deleted flag. A person is
// named from users.json, then from the user_profile copy the message
// carries; a bot by username, then by bot_profile.name.
func (r *reader) fillSender(m *chat.Message, f *fields) {
	switch {
	case f.user != "":
		m.Sender.ID = f.user
		u, listed := r.dir.users[f.user]
		m.Sender.Name = u.name
		if m.Sender.Name == "" && f.userProfile != nil {
			m.Sender.Name = firstNonEmpty(profileString(f.userProfile, "real_name"), profileString(f.userProfile, "display_name"), profileString(f.userProfile, "name"))
		}
		if m.Sender.Name == "" {
			m.Sender.Name = f.username
		}
		if u.deleted {
			m.Flags = append(m.Flags, flagSenderDeleted)
		}
		m.Direction = chat.Inbound
		if r.opts.AccountUID != "" {
			if f.user == r.opts.AccountUID {
				m.Direction = chat.Outbound
			}
		} else if listed && !u.external {
			m.Direction = chat.Outbound
		}
	case f.botID != "":
		m.Sender.ID = f.botID
		m.Sender.Name = f.username
		if m.Sender.Name == "" && f.botProfile != nil {
			m.Sender.Name = profileString(f.botProfile, "name")
		}
		m.Direction = chat.Outbound
		if r.opts.AccountUID != "" {
			m.Direction = chat.Inbound
		}
	default:
		m.Sender.Name = f.username
		m.Direction = chat.Inbound
	}
}

// profileString returns the string member name of a profile object, or ""
// when it is absent or not a string.
func profileString(profile []byte, name string) string {
	s, _ := jsonscan.StringValue(jsonscan.Lookup(profile, name))
	return s
}

// fillKind sets Kind, RawType and the attachments.
func (r *reader) fillKind(m *chat.Message, f *fields) {
	m.RawType = f.subtype
	if m.RawType == "" {
		m.RawType = f.typ
	}
	if f.typ != "" && f.typ != "message" {
		m.Kind = chat.KindUnknown
		addWarning(m, ingest.WarnUnknownMsgType)
		return
	}
	if !contentSubtypes[f.subtype] {
		m.Kind = chat.KindSystem
		return
	}

	m.Kind = chat.KindText
	if f.files != nil {
		m.Kind = r.fillFiles(m, f.files)
	}
	if f.attachments != nil {
		r.fillLinks(m, f.attachments)
	}
}

// fillFiles adds the files of a message as attachments and returns the
// message's kind: the media kind of its files when they share one, else
// file.
func (r *reader) fillFiles(m *chat.Message, files []byte) chat.Kind {
	kind := chat.Kind("")
	it := jsonscan.NewElements(files)
	for raw, ok := it.Next(); ok; raw, ok = it.Next() {
		if raw[0] != '{' {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		a, valid := fileAttachment(raw)
		if !valid {
			addWarning(m, ingest.WarnInvalidField)
		}
		m.Attachments = append(m.Attachments, a)
		k := mediaKind(a.Kind)
		switch {
		case kind == "":
			kind = k
		case kind != k:
			kind = chat.KindFile
		}
	}
	if kind == "" {
		return chat.KindText
	}
	return kind
}

// fileAttachment reads one element of a message's files. valid is false
// when a member had the wrong type and was left out.
func fileAttachment(raw []byte) (a chat.Attachment, valid bool) {
	valid = true
	str := func(value []byte) string {
		s, ok := jsonscan.StringValue(value)
		if !ok {
			valid = false
		}
		return s
	}
	var mode, urlPrivate, urlDownload, permalink string
	it := jsonscan.NewMembers(raw)
	for m, ok := it.Next(); ok; m, ok = it.Next() {
		switch string(m.DecodedName()) {
		case "name":
			a.Name = str(m.Value)
		case "title":
			a.Title = str(m.Value)
		case "mimetype":
			a.MIME = str(m.Value)
		case "filetype":
			a.Ext = str(m.Value)
		case "size":
			n, present, ok := jsonscan.IntValue(m.Value)
			if !ok || n < 0 {
				valid = false
			} else if present {
				a.Size = &n
			}
		case "url_private":
			urlPrivate = str(m.Value)
		case "url_private_download":
			urlDownload = str(m.Value)
		case "permalink":
			permalink = str(m.Value)
		case "mode":
			mode = str(m.Value)
		case "original_w":
			if n, _, ok := jsonscan.IntValue(m.Value); ok {
				a.Width = int(n)
			}
		case "original_h":
			if n, _, ok := jsonscan.IntValue(m.Value); ok {
				a.Height = int(n)
			}
		}
	}

	a.Kind = attachmentKind(a.MIME)
	a.URI = firstNonEmpty(urlPrivate, urlDownload, permalink)
	if urlDownload != "" && urlDownload != a.URI {
		a.AltURIs = append(a.AltURIs, urlDownload)
	}
	absent := false
	a.Present = &absent
	switch {
	case mode == "tombstone" || mode == "hidden_by_limit":
		// The file was deleted, or is beyond the free plan's history.
		a.AbsentReason = chat.AbsentUnavailable
	case a.URI != "":
		a.AbsentReason = chat.AbsentRemoteURLOnly
	default:
		a.AbsentReason = chat.AbsentUnavailable
	}
	return a, valid
}

// attachmentKind returns the attachment kind of a MIME type.
func attachmentKind(mime string) string {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	}
	return "file"
}

// mediaKind returns the message kind of an attachment kind.
func mediaKind(attachment string) chat.Kind {
	switch attachment {
	case "image":
		return chat.KindImage
	case "video":
		return chat.KindVideo
	case "audio":
		return chat.KindVoice
	}
	return chat.KindFile
}

// fillLinks reads a message's attachments: link previews that Slack unfurled
// and the rich blocks of bot messages. A preview with a URL becomes a link
// attachment; the other texts they carry go to IndexText.
func (r *reader) fillLinks(m *chat.Message, attachments []byte) {
	it := jsonscan.NewElements(attachments)
	for raw, ok := it.Next(); ok; raw, ok = it.Next() {
		if raw[0] != '{' {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		var title, text, pretext, fromURL, originalURL, titleLink string
		members := jsonscan.NewMembers(raw)
		for mem, ok := members.Next(); ok; mem, ok = members.Next() {
			var dst *string
			switch string(mem.DecodedName()) {
			case "title":
				dst = &title
			case "text":
				dst = &text
			case "pretext":
				dst = &pretext
			case "from_url":
				dst = &fromURL
			case "original_url":
				dst = &originalURL
			case "title_link":
				dst = &titleLink
			default:
				continue
			}
			s, ok := jsonscan.StringValue(mem.Value)
			if !ok {
				addWarning(m, ingest.WarnInvalidField)
			}
			*dst = s
		}

		uri := firstNonEmpty(fromURL, originalURL, titleLink)
		if uri != "" {
			m.Attachments = append(m.Attachments, chat.Attachment{Kind: "link", URI: uri, Title: title, Description: text})
		} else {
			m.IndexText = joinText(m.IndexText, title)
		}
		m.IndexText = joinText(m.IndexText, pretext, text)
	}
}

// fillThread sets ThreadRoot to the thread_ts of a thread's messages, the
// root included, and ReplyTo to the root for the replies.
func (r *reader) fillThread(m *chat.Message, f *fields) {
	if jsonscan.IsNull(f.threadTS) {
		return
	}
	if bytes.Equal(f.threadTS, f.ts) {
		m.ThreadRoot = m.SourceID // a thread's root
		return
	}
	root, ok := jsonscan.IDValue(f.threadTS)
	if !ok {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	m.ThreadRoot = root
	if root != m.SourceID {
		m.ReplyTo = root
	}
}

// fillEdited sets Edited and EditedAt from the edited object.
func (r *reader) fillEdited(m *chat.Message, f *fields) {
	if f.edited == nil {
		return
	}
	m.Edited = true
	raw := jsonscan.Lookup(f.edited, "ts")
	if jsonscan.IsNull(raw) {
		return
	}
	if _, t, reason := parseTS(raw); reason == "" {
		t = t.In(r.loc)
		m.EditedAt = &t
	} else {
		addWarning(m, ingest.WarnInvalidField)
	}
}

// fillReactions adds one reaction per user that each reactions entry lists.
//
// NOTE: Slack lists at most a few dozen users per reaction, while count goes
// on. The reactions of users beyond the list are unknown and not stored.
func (r *reader) fillReactions(m *chat.Message, f *fields) {
	if f.reactions == nil {
		return
	}
	it := jsonscan.NewElements(f.reactions)
	for raw, ok := it.Next(); ok; raw, ok = it.Next() {
		if raw[0] != '{' {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		name, ok := jsonscan.StringValue(jsonscan.Lookup(raw, "name"))
		users := jsonscan.Lookup(raw, "users")
		if !ok || name == "" || (!jsonscan.IsNull(users) && users[0] != '[') {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		if jsonscan.IsNull(users) {
			continue
		}
		list := jsonscan.NewElements(users)
		for u, ok := list.Next(); ok; u, ok = list.Next() {
			id, ok := jsonscan.StringValue(u)
			if !ok || id == "" {
				addWarning(m, ingest.WarnInvalidField)
				continue
			}
			m.Reactions = append(m.Reactions, chat.Reaction{ActorID: id, Actor: r.dir.UserName(id), Reaction: name})
		}
	}
}

// fillText sets Mentions from the markup of Text, and IndexText to the
// rendered text when it differs from Text.
func (r *reader) fillText(m *chat.Message, f *fields) {
	if !hasMarkup(m.Text) {
		return
	}
	m.Mentions = mentions(m.Text)
	if display := DisplayText(m.Text, r.dir); display != m.Text {
		m.IndexText = joinText(display, m.IndexText)
	}
}

// joinText joins the non-empty texts with line breaks.
func joinText(texts ...string) string {
	out := ""
	for _, t := range texts {
		switch {
		case t == "":
		case out == "":
			out = t
		default:
			out += "\n" + t
		}
	}
	return out
}

// addWarning adds a warning code to m unless m already carries it.
func addWarning(m *chat.Message, code string) {
	if !slices.Contains(m.Warnings, code) {
		m.Warnings = append(m.Warnings, code)
	}
}
