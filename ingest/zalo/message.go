package zalo

import (
	"slices"
	"time"
	"unicode/utf16"

	"chatseal/chat"
	"chatseal/ingest"
)

// Values of cmd, the websocket command that delivered a message: 501 for
// direct and 521 for group messages (zca-js src/apis/listen.ts).
const (
	cmdUserMessages  = 501
	cmdGroupMessages = 521
)

// parseMessage maps one zca-js message object, found at data.path, to a
// message. It returns a fieldError when the object lacks what every message
// needs (msgId, ts, uidFrom, idTo) or has a member of the wrong JSON type.
// Content it understands only in part is kept with warning codes.
func (r *reader) parseMessage(ev event, data jsonObject, raw []byte) (*chat.Message, *fieldError) {
	msgID, ferr := data.requiredString("msgId")
	if ferr != nil {
		return nil, ferr
	}
	sentAt, ferr := r.parseTS(data)
	if ferr != nil {
		return nil, ferr
	}
	uidFrom, ferr := data.requiredString("uidFrom")
	if ferr != nil {
		return nil, ferr
	}
	idTo, ferr := data.requiredString("idTo")
	if ferr != nil {
		return nil, ferr
	}
	msgType, ferr := data.optionalString("msgType")
	if ferr != nil {
		return nil, ferr
	}
	clientID, ferr := data.optionalID("cliMsgId")
	if ferr != nil {
		return nil, ferr
	}
	senderName, ferr := data.optionalString("dName")
	if ferr != nil {
		return nil, ferr
	}
	threadType, ferr := threadTypeOf(ev, data)
	if ferr != nil {
		return nil, ferr
	}

	isSelf := uidFrom == selfUID || uidFrom == r.opts.AccountUID
	senderID := r.accountUID(uidFrom)
	m := &chat.Message{
		Source:    Source,
		SourceID:  msgID,
		ClientID:  clientID,
		Account:   r.opts.Account,
		SentAt:    sentAt,
		Sender:    chat.Participant{ID: senderID, Name: senderName},
		Direction: chat.Inbound,
		RawType:   msgType,
		Raw:       raw,
	}
	if isSelf {
		m.Direction = chat.Outbound
	}
	switch {
	case threadType == threadGroup:
		m.ConversationKind = chat.Group
		m.Conversation = r.accountUID(idTo)
	case isSelf:
		m.ConversationKind = chat.Direct
		m.Conversation = r.accountUID(idTo)
	default:
		m.ConversationKind = chat.Direct
		m.Conversation = senderID
	}

	switch {
	case ev.name == eventReaction:
		ferr = parseReaction(m, data)
	case ev.name == eventUndo || isRecall(data):
		ferr = parseRecall(m, data)
	default:
		parseContent(m, msgType, data)
		r.parseQuote(m, data)
		r.parseMentions(m, data)
	}
	if ferr != nil {
		return nil, ferr
	}
	return m, nil
}

// accountUID puts the archived account's uid in place of the "0" that raw
// zca-js data writes for it.
func (r *reader) accountUID(uid string) string {
	if uid == selfUID {
		return r.self
	}
	return uid
}

// maxEpochMillis is the last millisecond of the year 9999 UTC. RFC 3339, and
// so chat.EncodeRecord, cannot write later times.
const maxEpochMillis = 253402300799999

// parseTS reads data.ts, a string of epoch milliseconds.
func (r *reader) parseTS(data jsonObject) (time.Time, *fieldError) {
	raw := data.member("ts")
	if raw == nil {
		return time.Time{}, errorf(data.childPath("ts"), "missing")
	}
	if t := jsonType(raw); t != "string" {
		return time.Time{}, errorf(data.childPath("ts"), "want a string of epoch milliseconds, got %s", t)
	}
	text, ferr := data.optionalString("ts")
	if ferr != nil {
		return time.Time{}, ferr
	}
	ms, ok := parseDigits(text)
	if !ok {
		return time.Time{}, errorf(data.childPath("ts"), "want a string of epoch milliseconds, got %s", quoteShort(text))
	}
	// One day of margin keeps the local time within year 9999 in any zone.
	if ms > maxEpochMillis-24*3600*1000 {
		return time.Time{}, errorf(data.childPath("ts"), "epoch milliseconds %s are after the year 9999", quoteShort(text))
	}
	return time.UnixMilli(ms).In(r.loc), nil
}

// parseDigits parses a non-empty string of ASCII digits that fits an int64.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// threadTypeOf returns the line's threadType, or for a line without one the
// type given by the message's cmd.
func threadTypeOf(ev event, data jsonObject) (string, *fieldError) {
	if ev.threadType != "" {
		return ev.threadType, nil
	}
	cmd, ok, ferr := data.optionalInt("cmd")
	if ferr != nil {
		return "", ferr
	}
	switch {
	case ok && cmd == cmdUserMessages:
		return threadUser, nil
	case ok && cmd == cmdGroupMessages:
		return threadGroup, nil
	}
	return "", errorf("threadType", "missing, and %s is not %d (direct) or %d (group)", data.childPath("cmd"), cmdUserMessages, cmdGroupMessages)
}

// isRecall reports whether a message object is a recall ("undo"), which zca-js
// recognises by a deleteMsg member in an object content.
func isRecall(data jsonObject) bool {
	// Most messages have a string content, so checking the type first saves
	// building the error that optionalObject returns for it.
	if jsonType(data.member("content")) != "object" {
		return false
	}
	content, ok, ferr := data.optionalObject("content")
	return ferr == nil && ok && content.has("deleteMsg")
}

// parseRecall fills a recall: content.globalMsgId is the msgId of the recalled
// message.
func parseRecall(m *chat.Message, data jsonObject) *fieldError {
	content, ok, ferr := data.optionalObject("content")
	if ferr != nil {
		return ferr
	}
	if !ok {
		return errorf(data.childPath("content"), "missing; a recall needs content.globalMsgId")
	}
	target, ferr := content.requiredID("globalMsgId")
	if ferr != nil {
		return ferr
	}
	m.Kind = chat.KindRecall
	m.Target = target
	return nil
}

// parseReaction fills a reaction. Its content is a JSON document encoded as
// a string, {rMsg: [{gMsgID, cMsgID, msgType}], rIcon, rType, source}, where
// rMsg[0].gMsgID is the msgId of the message reacted to and rIcon is a Zalo
// code such as "/-heart". An empty rIcon removes the sender's reaction.
func parseReaction(m *chat.Message, data jsonObject) *fieldError {
	content, ferr := decodeReactionContent(data)
	if ferr != nil {
		return ferr
	}

	targets, ok, ferr := content.optionalArray("rMsg")
	if ferr != nil {
		return ferr
	}
	if !ok || len(targets) == 0 {
		return errorf(content.childPath("rMsg"), "missing or empty; a reaction needs the message it reacts to")
	}
	// NOTE: only the first rMsg entry is used. Whether Zalo ever sends one
	// reaction for several messages is not known.
	first, ferr := decodeObject(elemPath(content.childPath("rMsg"), 0), targets[0])
	if ferr != nil {
		return ferr
	}
	target, ferr := first.requiredID("gMsgID")
	if ferr != nil {
		return ferr
	}
	icon, ferr := content.optionalString("rIcon")
	if ferr != nil {
		return ferr
	}

	m.Kind = chat.KindReaction
	m.Target = target
	m.Reaction = icon
	m.ReactionRemoved = icon == ""
	return nil
}

// decodeReactionContent decodes the JSON document in the string member
// content. A capture tool may have stored the document already decoded, so
// an object is accepted too.
func decodeReactionContent(data jsonObject) (jsonObject, *fieldError) {
	path := data.childPath("content")
	raw := data.member("content")
	switch jsonType(raw) {
	case "object":
		return decodeObject(path, raw)
	case "string":
	case "nothing":
		return jsonObject{}, errorf(path, "missing")
	default:
		return jsonObject{}, errorf(path, "want a string holding a JSON object, got %s", jsonType(raw))
	}

	text, ferr := data.optionalString("content")
	if ferr != nil {
		return jsonObject{}, ferr
	}
	inner, reason := decodeLine([]byte(text))
	if reason != "" {
		return jsonObject{}, errorf(path, "want a string holding a JSON object, got a string that is not JSON")
	}
	return decodeObject(path, inner)
}

// parseQuote fills ReplyTo and Quote from the quote object of a reply. A
// quote of the wrong shape is skipped with an INVALID_FIELD warning, because
// the reply itself is still a valid message.
func (r *reader) parseQuote(m *chat.Message, data jsonObject) {
	quote, ok, ferr := data.optionalObject("quote")
	if ferr != nil {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	if !ok {
		return
	}

	replyTo, err1 := quote.optionalID("globalMsgId")
	ownerID, err2 := quote.optionalID("ownerId")
	text, err3 := quote.optionalString("msg")
	fromName, err4 := quote.optionalString("fromD")
	attach, err5 := quote.optionalString("attach")
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
		addWarning(m, ingest.WarnInvalidField)
	}

	if replyTo != "0" {
		m.ReplyTo = replyTo
	}
	q := chat.Quote{OwnerID: r.accountUID(ownerID), Text: text, FromName: fromName, Attach: attach}
	if q != (chat.Quote{}) {
		m.Quote = &q
	}
}

// parseMentions fills Mentions from the mentions array of a group message.
// Zalo counts pos and len in UTF-16 code units, as JavaScript strings do; they
// are converted to code points of Text. A mention that is malformed or does
// not fit Text is dropped with an INVALID_FIELD warning.
func (r *reader) parseMentions(m *chat.Message, data jsonObject) {
	elems, ok, ferr := data.optionalArray("mentions")
	if ferr != nil {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	if !ok {
		return
	}
	for i, elem := range elems {
		mention, ok := r.parseMention(m.Text, elemPath(data.childPath("mentions"), i), elem)
		if !ok {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		m.Mentions = append(m.Mentions, mention)
	}
}

func (r *reader) parseMention(text, path string, raw []byte) (chat.Mention, bool) {
	obj, ferr := decodeObject(path, raw)
	if ferr != nil {
		return chat.Mention{}, false
	}
	uid, err1 := obj.optionalID("uid")
	pos, hasPos, err2 := obj.optionalInt("pos")
	length, hasLen, err3 := obj.optionalInt("len")
	mentionType, _, err4 := obj.optionalInt("type")
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || !hasPos || !hasLen {
		return chat.Mention{}, false
	}
	offset, count, ok := utf16SpanToRunes(text, pos, length)
	if !ok {
		return chat.Mention{}, false
	}

	mention := chat.Mention{Offset: offset, Length: count}
	// zca-js writes a mention of the whole group as uid "-1" with type 1.
	if uid == "-1" && mentionType == 1 {
		mention.AllMembers = true
	} else {
		mention.UserID = r.accountUID(uid)
	}
	return mention, true
}

// utf16SpanToRunes converts the span [pos, pos+length) of text, counted in
// UTF-16 code units, to a start and length in code points. ok is false when
// the span is negative, runs past text, or splits a surrogate pair.
func utf16SpanToRunes(text string, pos, length int64) (offset, count int, ok bool) {
	if pos < 0 || length < 0 {
		return 0, 0, false
	}
	end := pos + length
	start, stop := -1, -1
	var units int64
	runeIndex := 0
	for _, c := range text {
		if units == pos {
			start = runeIndex
		}
		if units == end {
			stop = runeIndex
		}
		n := utf16.RuneLen(c)
		if n < 1 {
			n = 1
		}
		units += int64(n)
		runeIndex++
	}
	if units == pos {
		start = runeIndex
	}
	if units == end {
		stop = runeIndex
	}
	if start < 0 || stop < 0 {
		return 0, 0, false
	}
	return start, stop - start, true
}

// addWarning adds a warning code to m unless m already carries it.
func addWarning(m *chat.Message, code string) {
	if !slices.Contains(m.Warnings, code) {
		m.Warnings = append(m.Warnings, code)
	}
}
