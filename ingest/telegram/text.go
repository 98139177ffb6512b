package telegram

import (
	"unicode/utf8"

	"chatseal/chat"
)

// richText is a message's text with its formatting runs.
type richText struct {
	text     string
	entities []chat.Entity
	mentions []chat.Mention
}

// parseText reads Telegram's "text" member: a plain string when the whole
// text is one plain run, or an array of runs, each a string (plain) or an
// object {type, text, href?, user_id?, language?, document_id?, collapsed?}.
// "text_entities" has the second shape with plain runs as objects of type
// "plain", so it is read the same way.
//
// Text is the runs joined. Every run other than plain becomes an entity,
// with offset and length in code points of the joined text; Telegram writes
// no offsets. "mention" (an @username) and "mention_name" (a user picked
// by id) runs also become mentions. ok is false when v, or a run in it, has
// a type Telegram does not write; the runs that could be read are kept.
//
// scratch is a buffer parseText may reuse across calls.
func parseText(v []byte, scratch *[]byte) (rt richText, ok bool) {
	if isNull(v) {
		return rt, true
	}
	if v[0] == '"' {
		rt.text, ok = decodeString(v)
		return rt, ok
	}
	if v[0] != '[' {
		return rt, false
	}

	buf := (*scratch)[:0]
	offset := 0 // code points in buf
	ok = true
	valid := eachElement(v, func(elem []byte) {
		before := len(buf)
		if elem[0] == '"' {
			var good bool
			buf, good = appendString(buf, elem)
			ok = ok && good
			offset += utf8.RuneCount(buf[before:])
			return
		}

		var run textRun
		if !run.parse(elem) {
			ok = false
			return
		}
		if !isNull(run.text) {
			var good bool
			buf, good = appendString(buf, run.text)
			ok = ok && good
		}
		length := utf8.RuneCount(buf[before:])
		if run.typ != "plain" && length > 0 {
			rt.entities = append(rt.entities, chat.Entity{
				Type:   run.typ,
				Offset: offset,
				Length: length,
				Href:   run.href,
				UserID: run.userID,
			})
			switch run.typ {
			case "mention":
				rt.mentions = append(rt.mentions, chat.Mention{Offset: offset, Length: length})
			case "mention_name":
				rt.mentions = append(rt.mentions, chat.Mention{UserID: run.userID, Offset: offset, Length: length})
			}
		}
		offset += length
	})
	rt.text = string(buf)
	*scratch = buf
	return rt, ok && valid
}

// textRun is one object run of a text array.
type textRun struct {
	typ, href string
	// text is the run's raw "text" member.
	text []byte
	// userID is the mentioned user of a mention_name run, written as
	// from_id writes users: "user" and the number.
	userID string
}

func (r *textRun) parse(elem []byte) bool {
	ok := true
	valid := eachMember(elem, func(name, value []byte) {
		var good bool
		switch string(name) {
		case "type":
			r.typ, good = runType(value)
		case "text":
			r.text, good = value, isNull(value) || value[0] == '"'
		case "href":
			r.href, good = optionalString(value)
		case "user_id":
			r.userID, good = userID(value)
		default:
			good = true // language, document_id, collapsed: kept in Raw
		}
		ok = ok && good
	})
	return ok && valid && r.typ != ""
}

// runTypes are the run types of Telegram Desktop's SerializeText, so that
// the common ones need no allocation.
var runTypes = func() map[string]string {
	m := map[string]string{}
	for _, t := range []string{
		"unknown", "mention", "hashtag", "bot_command", "link", "email", "bold",
		"italic", "code", "pre", "plain", "text_link", "mention_name", "phone",
		"cashtag", "underline", "strikethrough", "blockquote", "bank_card",
		"spoiler", "custom_emoji",
	} {
		m[`"`+t+`"`] = t
	}
	return m
}()

// runType returns the type of a run from its raw "type" member.
func runType(v []byte) (string, bool) {
	if t, ok := runTypes[string(v)]; ok {
		return t, true
	}
	return decodeString(v)
}

// userID returns a mention_name's user id, a JSON number in Telegram's
// export, in the form from_id uses: "user5012345678". A string that already
// has that form is kept.
func userID(v []byte) (string, bool) {
	if isNull(v) {
		return "", true
	}
	if digits, ok := integerText(v); ok {
		return "user" + digits, true
	}
	s, ok := decodeString(v)
	return s, ok
}
