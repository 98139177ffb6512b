package telegram

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
)

// WarnLocalTimeOnly marks a message whose time comes from "date", the
// wall-clock time of the computer that made the export, because it has no
// "date_unixtime" (exports made before Telegram Desktop added it). The time
// is read in ingest.Options.Location.
const WarnLocalTimeOnly = "LOCAL_TIME_ONLY"

// localDateLayout is the layout of "date" and "edited": Qt's ISO date
// without offset.
const localDateLayout = "2006-01-02T15:04:05"

// conversation is the chat whose messages are being read.
type conversation struct {
	id    string // the chat's "id", in decimal
	title string
	kind  chat.ConversationKind
}

// parsed is one message object read by parseMessage.
type parsed struct {
	msg *chat.Message
	// dated is false when the object has no time of its own, as in an
	// "unsupported" stub. msg.SentAt is then zero.
	dated bool
}

// parseMessage turns the message value raw, whose members are at the
// spans members, into a message of conv. It returns a reason, without
// message text, when raw cannot be a message.
func (r *Reader) parseMessage(raw []byte, members []memberSpan, conv *conversation) (parsed, string) {
	if len(raw) == 0 || raw[0] != '{' {
		return parsed{}, "want a message object, got " + jsonType(raw)
	}
	var f fields
	for _, span := range members {
		name := raw[span.nameStart:span.nameEnd]
		if bytes.IndexByte(name, '\\') >= 0 {
			if s, ok := decodeString(raw[span.nameStart-1 : span.nameEnd+1]); ok {
				name = []byte(s)
			}
		}
		f.note(name, raw[span.valueStart:span.valueEnd])
	}
	id, ok := integerText(f.id)
	if !ok {
		if f.id == nil {
			return parsed{}, `member "id" is missing`
		}
		return parsed{}, `member "id" is not an integer`
	}
	typ, _ := r.names.string(f.typ)

	m := &chat.Message{
		Source:            Source,
		SourceID:          id,
		Account:           r.opts.Account,
		Conversation:      conv.id,
		ConversationKind:  conv.kind,
		ConversationTitle: conv.title,
		Direction:         chat.Inbound,
		Kind:              chat.KindText,
		RawType:           typ,
		Raw:               raw,
	}
	var warnings []string
	warn := func(code string) {
		if !slices.Contains(warnings, code) {
			warnings = append(warnings, code)
		}
	}

	// Times.
	sentAt, dated, codes := r.messageTime(f.dateUnix, f.date)
	m.SentAt = sentAt
	for _, code := range codes {
		warn(code)
	}
	if f.editedUnix != nil || f.edited != nil {
		m.Edited = true
		if at, ok, codes := r.messageTime(f.editedUnix, f.edited); ok {
			m.EditedAt = &at
			for _, code := range codes {
				warn(code)
			}
		}
	}
	if !dated && typ != typeUnsupported {
		warn(ingest.WarnMissingTS)
	}

	// Sender: from/from_id for messages, actor/actor_id for service
	// messages, except proximity_reached, which writes from/from_id.
	invalid := false
	str := func(v []byte) string {
		s, ok := optionalString(v)
		invalid = invalid || !ok
		return s
	}
	name := func(v []byte) string {
		s, ok := r.names.string(v)
		invalid = invalid || !ok
		return s
	}
	if f.fromID != nil || f.from != nil {
		m.Sender = chat.Participant{ID: name(f.fromID), Name: name(f.from)}
	} else {
		m.Sender = chat.Participant{ID: name(f.actorID), Name: name(f.actor)}
	}
	m.AuthorSignature = name(f.author)
	m.ForwardedFrom = name(f.forwardedFrom)
	if f.replyTo != nil {
		if replyTo, ok := integerText(f.replyTo); !ok {
			invalid = true
		} else if sameChat(str(f.replyToPeer), conv.id) {
			m.ReplyTo = replyTo
		}
	}

	// Text and entities.
	textValue := f.text
	if textValue == nil {
		textValue = f.textEntities
	}
	rt, ok := parseText(textValue, &r.textBuf)
	invalid = invalid || !ok
	m.Text, m.Entities, m.Mentions = rt.text, rt.entities, rt.mentions

	var index []string
	switch typ {
	case typeMessage:
		if mediaType := name(f.mediaType); mediaType != "" {
			m.RawType = typ + "/" + mediaType
		}
		for _, code := range r.media(m, &f) {
			warn(code)
		}
		index = appendExtras(index, &f)
		m.Reactions, ok = parseReactions(f.reactions)
		invalid = invalid || !ok
		if len(f.unknown) > 0 && m.Kind == chat.KindText && m.Text == "" && len(index) == 0 {
			// Nothing the importer reads holds the content, so it must be
			// in the unknown members.
			m.Kind = chat.KindUnknown
		}

	case typeService:
		m.Kind = chat.KindSystem
		action := name(f.action)
		if action != "" {
			m.RawType = typ + "/" + action
			if !knownActions[action] {
				warn(ingest.WarnUnknownMsgType)
				r.emit(ingest.Warning{Code: ingest.WarnUnknownMsgType, SourceID: id, Field: "action", Detail: "unknown service action " + quoteShort(action)})
			}
		}
		switch action {
		case "phone_call":
			m.Kind = chat.KindCall
			m.Call = &chat.Call{DurationSeconds: optionalInteger(f.duration, &invalid)}
		case "group_call":
			m.Kind = chat.KindCall
			m.Call = &chat.Call{DurationSeconds: optionalInteger(f.callDuration, &invalid)}
		case "pin_message":
			if target, ok := integerText(f.messageID); ok {
				m.Target = target
			}
		}
		if f.members != nil {
			m.Members, ok = parseMembers(f.members)
			invalid = invalid || !ok
		}
		for _, code := range r.media(m, &f) {
			warn(code)
		}
		for _, v := range [][]byte{f.title, f.newTitle, f.informationText} {
			if s := str(v); s != "" {
				index = append(index, s)
			}
		}

	default:
		// "unsupported" (a message kind this Telegram Desktop could not
		// export, written with its id only) or a type newer than this
		// importer. The message keeps its raw object.
		m.Kind = chat.KindUnknown
		warn(ingest.WarnUnsupportedMessage)
		r.emit(ingest.Warning{Code: ingest.WarnUnsupportedMessage, SourceID: id, Detail: "message type " + quoteShort(typ)})
	}
	m.IndexText = strings.Join(index, "\n")

	for _, name := range f.unknown {
		warn(ingest.WarnUnknownField)
		r.emit(ingest.Warning{Code: ingest.WarnUnknownField, SourceID: id, Field: name})
	}
	if invalid {
		warn(ingest.WarnInvalidField)
	}
	m.Warnings = warnings
	m.Direction = r.direction(m.Sender)
	return parsed{msg: m, dated: dated}, ""
}

// Message types of Telegram's "type" member.
const (
	typeMessage     = "message"
	typeService     = "service"
	typeUnsupported = "unsupported"
)

// messageTime reads a time from its *_unixtime member (epoch seconds in a
// string), or else from its local-time member. ok is false when neither
// gives a time. codes are the warnings to add to the message.
//
// NOTE: in a zone with daylight saving time, a local time in the repeated
// hour is read as its first occurrence and one in the skipped hour is moved
// forward, without AMBIGUOUS_LOCAL_TIME or NONEXISTENT_LOCAL_TIME. Only
// exports without date_unixtime, made before about 2022, are affected.
func (r *Reader) messageTime(unix, local []byte) (t time.Time, ok bool, codes []string) {
	if unix != nil {
		if n, ok := integer(unix); ok {
			return time.Unix(n, 0), true, nil
		}
		codes = append(codes, ingest.WarnInvalidField)
	}
	if local != nil {
		s, _ := decodeString(local)
		if t, err := time.ParseInLocation(localDateLayout, s, r.loc); err == nil {
			return t, true, append(codes, WarnLocalTimeOnly)
		}
		codes = append(codes, ingest.WarnInvalidField)
	}
	return time.Time{}, false, codes
}

// sameChat reports whether a reply whose reply_to_peer_id is peer points
// into the chat with id chatID. Telegram writes reply_to_peer_id ("user1",
// "chat2", "channel3") only for a reply to a message of another chat, whose
// id would name the wrong message here.
func sameChat(peer, chatID string) bool {
	if peer == "" {
		return true
	}
	for _, prefix := range []string{"user", "chat", "channel"} {
		if rest, ok := strings.CutPrefix(peer, prefix); ok {
			return rest == chatID
		}
	}
	return false
}

// direction returns Outbound when sender is the archive owner: the user of
// personal_information in a full-account export, or else a sender named
// ingest.Options.SelfName.
func (r *Reader) direction(sender chat.Participant) chat.Direction {
	if r.self.ID != "" {
		if sender.ID == r.self.ID {
			return chat.Outbound
		}
		return chat.Inbound
	}
	if r.opts.SelfName != "" && sender.Name == r.opts.SelfName {
		return chat.Outbound
	}
	return chat.Inbound
}

// parseMembers reads the names of a service message's "members": strings,
// and null for a deleted account, which is kept as a member without a name.
func parseMembers(v []byte) ([]chat.Participant, bool) {
	var members []chat.Participant
	ok := true
	valid := eachElement(v, func(elem []byte) {
		name, good := optionalString(elem)
		ok = ok && good
		members = append(members, chat.Participant{Name: name})
	})
	return members, ok && valid
}

// parseReactions reads "reactions": [{type, count, emoji?, document_id?,
// recent?: [{from, from_id, date}]}]. Only the reactions listed in recent
// name who reacted; the rest are counts, left in Raw.
func parseReactions(v []byte) ([]chat.Reaction, bool) {
	if isNull(v) {
		return nil, true
	}
	var reactions []chat.Reaction
	ok := true
	valid := eachElement(v, func(elem []byte) {
		var typ, emoji, documentID string
		var recent []byte
		good := eachMember(elem, func(name, value []byte) {
			switch string(name) {
			case "type":
				typ, _ = decodeString(value)
			case "emoji":
				emoji, _ = decodeString(value)
			case "document_id":
				documentID, _ = decodeString(value)
			case "recent":
				recent = value
			}
		})
		ok = ok && good
		reaction := emoji
		switch {
		case reaction != "":
		case documentID != "":
			reaction = "custom_emoji:" + documentID
		default:
			reaction = typ
		}
		if recent == nil {
			return
		}
		good = eachElement(recent, func(who []byte) {
			var actor chat.Reaction
			eachMember(who, func(name, value []byte) {
				switch string(name) {
				case "from":
					actor.Actor, _ = optionalString(value)
				case "from_id":
					actor.ActorID, _ = optionalString(value)
				}
			})
			actor.Reaction = reaction
			reactions = append(reactions, actor)
		})
		ok = ok && good
	})
	return reactions, ok && valid
}

// appendExtras appends to index the searchable text of a poll, a game or
// an invoice, and a venue's address.
func appendExtras(index []string, f *fields) []string {
	add := func(v []byte) {
		if s, _ := optionalString(v); s != "" {
			index = append(index, s)
		}
	}
	if f.poll != nil {
		eachMember(f.poll, func(name, value []byte) {
			switch string(name) {
			case "question":
				add(value)
			case "answers":
				eachElement(value, func(answer []byte) {
					eachMember(answer, func(name, value []byte) {
						if string(name) == "text" {
							add(value)
						}
					})
				})
			}
		})
	}
	add(f.gameTitle)
	add(f.gameDescription)
	if f.invoice != nil {
		eachMember(f.invoice, func(name, value []byte) {
			if string(name) == "title" || string(name) == "description" {
				add(value)
			}
		})
	}
	if f.placeName != nil {
		add(f.address)
	}
	return index
}

// optionalInteger returns v as an integer, 0 when it is absent, and sets
// *invalid when it is something else.
func optionalInteger(v []byte, invalid *bool) int64 {
	if isNull(v) {
		return 0
	}
	n, ok := integer(v)
	if !ok {
		*invalid = true
	}
	return n
}

// jsonType names the JSON type of a raw value for a reason.
func jsonType(raw []byte) string {
	i := skipSpace(raw, 0)
	if i >= len(raw) {
		return "nothing"
	}
	switch raw[i] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// nameCache returns the same string for the same bytes, so that the names,
// ids and type names that repeat on every message are allocated once.
type nameCache map[string]string

// maxCachedNames bounds a nameCache; it is emptied when full.
const maxCachedNames = 4096

// string returns the string v, "" for null or absent, and ok false for
// any other JSON type. Only strings without escapes are cached.
func (c *nameCache) string(v []byte) (string, bool) {
	if isNull(v) {
		return "", true
	}
	if len(v) < 2 || v[0] != '"' || bytes.IndexByte(v, '\\') >= 0 || len(v) > 256 {
		return decodeString(v)
	}
	if s, ok := (*c)[string(v)]; ok {
		return s, true
	}
	s, ok := decodeString(v)
	if !ok {
		return "", false
	}
	if *c == nil || len(*c) >= maxCachedNames {
		*c = make(nameCache, 64)
	}
	(*c)[string(v)] = s
	return s, true
}
