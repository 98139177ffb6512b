package zalooa

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/internal/jsonscan"
)

// class is the sort of an event, which its name shows.
type class int

const (
	classMessage  class = iota // a message between the OA and a user
	classGroup                 // a message in a group chat of the OA
	classFollow                // follow or unfollow
	classReaction              // a reaction to a message
	classOther                 // any other event
)

// eventPrefixes map the prefix of a message event's name to its class and
// whether the OA sent it. The rest of the name is the content type. Longer
// prefixes come first, because "oa_send_" is a prefix of the others.
var eventPrefixes = []struct {
	prefix string
	class  class
	fromOA bool
}{
	{"user_send_group_", classGroup, false},
	{"oa_send_group_", classGroup, true},
	{"oa_send_anonymous_", classMessage, true},
	{"anonymous_send_", classMessage, false},
	{"user_send_", classMessage, false},
	{"oa_send_", classMessage, true},
}

// contentKinds map the content type of a message event, the rest of its name
// after the prefix, to the message kind.
var contentKinds = map[string]chat.Kind{
	"text":          chat.KindText,
	"image":         chat.KindImage,
	"photo":         chat.KindImage,
	"gif":           chat.KindImage,
	"file":          chat.KindFile,
	"sticker":       chat.KindSticker,
	"audio":         chat.KindVoice,
	"voice":         chat.KindVoice,
	"video":         chat.KindVideo,
	"link":          chat.KindLink,
	"location":      chat.KindLocation,
	"business_card": chat.KindContact,
}

// documentedEvents are event names that Zalo's OA documentation lists, as
// a third-party webhook listener (zalo-agent, 2.0.0) records them, beside
// the message events of contentKinds. An event among them that the importer
// does not model is kept as kind unknown without a warning.
var documentedEvents = map[string]bool{
	"follow": true, "unfollow": true, "user_click_chatnow": true,
	"user_seen_message": true, "user_received_message": true,
	"user_reacted_message": true, "oa_reacted_message": true,
	"oa_send_list": true, "update_user_info": true, "user_submit_info": true,
	"add_user_to_tag": true, "remove_user_from_tag": true, "remove_tag": true,
	"user_withdraw": true, "widget_interaction_accepted": true,
	"widget_failed_to_sync_user_external_id": true,
	"create_group":                           true, "delete_group": true, "update_group_info": true,
	"add_group_admin": true, "remove_group_admin": true, "user_join_group": true,
	"user_out_group": true, "user_request_join_group": true,
	"accept_request_join_group": true, "reject_request_join_group": true,
	"oa_send_consent": true, "user_reply_consent": true, "user_call_oa": true,
	"extension_purchased": true, "change_template_status": true,
	"change_template_quality": true, "change_oa_daily_quota": true,
	"user_feedback": true, "user_click_response_button": true,
	"event_journey_acknowledged": true, "event_journey_time_out": true,
}

// classify returns the class of the event name, whether the OA sent it,
// and for a message event its content type.
func classify(name string) (c class, fromOA bool, content string) {
	switch name {
	case "follow", "unfollow":
		return classFollow, false, ""
	case "user_reacted_message":
		return classReaction, false, ""
	case "oa_reacted_message":
		return classReaction, true, ""
	}
	for _, p := range eventPrefixes {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok {
			return p.class, p.fromOA, rest
		}
	}
	return classOther, strings.HasPrefix(name, "oa_"), ""
}

// event holds the members of a webhook body that the importer reads.
type event struct {
	name        string
	timestamp   []byte // raw
	oaID        string
	userIDByApp string
	sender      string // sender.id
	recipient   string // recipient.id
	groupID     string // recipient.group_id
	follower    string // follower.id
	message     []byte // raw object
	info        []byte // raw object
	invalid     bool   // a member had the wrong type and was left out
}

// parseLine turns the line body, the line without the byte order mark the
// first line may start with, into a message, or returns why it cannot. The
// body becomes Raw.
func (r *reader) parseLine(body []byte) (*chat.Message, string) {
	start := jsonscan.SkipSpace(body, 0)
	if body[start] != '{' {
		end, ok := jsonscan.Check(body[start:])
		end += start
		if !ok || jsonscan.SkipSpace(body, end) != len(body) {
			return nil, syntaxReason(body, end)
		}
		return nil, "want a JSON object, got " + jsonscan.TypeName(body[start:])
	}
	r.members = r.members[:0]
	end, ok := jsonscan.CheckObject(body[start:], &r.members)
	end += start
	if !ok {
		return nil, syntaxReason(body, end)
	}
	if jsonscan.SkipSpace(body, end) != len(body) {
		return nil, fmt.Sprintf("invalid JSON: unexpected data after the JSON object that ends at byte %d of the line", end)
	}

	ev := r.readEvent(r.members)
	if ev.name == "" {
		return nil, `missing "event_name", or it is not a string`
	}
	ms, reason := parseTimestamp(ev.timestamp)
	if reason != "" {
		return nil, reason
	}
	return r.buildMessage(&ev, ms, body)
}

// syntaxReason describes the invalid JSON of a line that fails at byte end.
func syntaxReason(body []byte, end int) string {
	if end >= len(body) {
		return fmt.Sprintf("invalid JSON: the line ends inside a value after %d bytes; it may be truncated", len(body))
	}
	return fmt.Sprintf("invalid JSON: syntax error at byte %d of the line, counting from 1", end+1)
}

// readEvent reads the members of a webhook body.
func (r *reader) readEvent(members []jsonscan.Member) event {
	var ev event
	name := func(dst *string, value []byte) {
		s, ok := r.names.value(value)
		if !ok {
			ev.invalid = true
		}
		*dst = s
	}
	id := func(dst *string, object []byte, member string) {
		if jsonscan.IsNull(object) {
			return
		}
		if object[0] != '{' {
			ev.invalid = true
			return
		}
		s, ok := r.names.id(jsonscan.Lookup(object, member))
		if !ok {
			ev.invalid = true
		}
		*dst = s
	}
	object := func(dst *[]byte, value []byte) {
		switch {
		case jsonscan.IsNull(value):
		case value[0] == '{':
			*dst = value
		default:
			ev.invalid = true
		}
	}

	for _, m := range members {
		switch string(m.DecodedName()) {
		case "event_name":
			if s, ok := r.names.value(m.Value); ok {
				ev.name = s
			}
		case "timestamp":
			ev.timestamp = m.Value
		case "oa_id":
			name(&ev.oaID, m.Value)
		case "user_id_by_app":
			name(&ev.userIDByApp, m.Value)
		case "sender":
			id(&ev.sender, m.Value, "id")
		case "recipient":
			id(&ev.recipient, m.Value, "id")
			id(&ev.groupID, m.Value, "group_id")
		case "follower":
			id(&ev.follower, m.Value, "id")
		case "message":
			object(&ev.message, m.Value)
		case "info":
			object(&ev.info, m.Value)
		}
	}
	return ev
}

// maxEpochMillis is the last millisecond of the year 9999 less a day, so
// that SentAt stays within the years that RFC 3339, and so
// chat.EncodeRecord, can write in any zone.
const maxEpochMillis = 253402300799999 - 24*3600*1000

// parseTimestamp reads timestamp, epoch milliseconds as a string of digits
// or as a JSON integer.
func parseTimestamp(raw []byte) (int64, string) {
	if jsonscan.IsNull(raw) {
		return 0, `missing "timestamp"`
	}
	ms, _, ok := jsonscan.IntValue(raw)
	if !ok || ms < 0 || ms > maxEpochMillis {
		text := string(raw)
		if raw[0] == '"' {
			text = jsonscan.DecodeString(raw)
		}
		return 0, fmt.Sprintf(`field "timestamp": want epoch milliseconds, got %s %s`, jsonscan.TypeName(raw), jsonscan.QuoteShort(text))
	}
	return ms, ""
}

// buildMessage maps a webhook event to a message.
func (r *reader) buildMessage(ev *event, ms int64, body []byte) (*chat.Message, string) {
	c, fromOA, content := classify(ev.name)
	oa := r.opts.AccountUID
	if oa == "" {
		oa = ev.oaID
	}

	m := &chat.Message{
		Source:           Source,
		Account:          r.opts.Account,
		ConversationKind: chat.Direct,
		SentAt:           time.UnixMilli(ms).In(r.loc),
		Direction:        chat.Inbound,
		RawType:          ev.name,
		Raw:              r.keep(body),
	}
	if ev.invalid {
		addWarning(m, ingest.WarnInvalidField)
	}

	// Who talks to whom.
	switch c {
	case classMessage, classReaction:
		m.Sender.ID = ev.sender
		m.Conversation = ev.sender
		if fromOA {
			m.Direction = chat.Outbound
			m.Conversation = ev.recipient
			if m.Sender.ID == "" {
				m.Sender.ID = oa
			}
		}
	case classGroup:
		m.ConversationKind = chat.Group
		m.Sender.ID = ev.sender
		// NOTE: where a group event names its group is not settled;
		// third-party code reads recipient.group_id, message.conversation_id
		// or recipient.id.
		m.Conversation = firstNonEmpty(ev.groupID, r.messageString(m, ev.message, "conversation_id"), ev.recipient)
		if fromOA {
			m.Direction = chat.Outbound
			if m.Sender.ID == "" {
				m.Sender.ID = oa
			}
		}
	case classFollow:
		m.Sender.ID = firstNonEmpty(ev.follower, ev.sender)
		m.Conversation = m.Sender.ID
	default:
		m.Sender.ID, m.Conversation, m.Direction = otherParties(ev, oa, fromOA)
	}
	if m.Conversation == "" {
		return nil, fmt.Sprintf("event %s names no user: want the user's id in sender, recipient or follower", jsonscan.QuoteShort(ev.name))
	}

	// The content.
	switch c {
	case classMessage, classGroup:
		kind, known := contentKinds[content]
		m.Kind = kind
		if !known {
			m.Kind = chat.KindUnknown
			if !documentedEvents[ev.name] {
				addWarning(m, ingest.WarnUnknownMsgType)
			}
		}
	case classFollow:
		m.Kind = chat.KindSystem
	case classReaction:
		m.Kind = chat.KindReaction
		m.Target = r.messageString(m, ev.message, "msg_id")
		m.Reaction = r.messageString(m, ev.message, "react_icon")
		m.ReactionRemoved = m.Reaction == ""
		if m.Target == "" {
			return nil, fmt.Sprintf(`event %s: missing "message.msg_id", the message reacted to`, jsonscan.QuoteShort(ev.name))
		}
	default:
		m.Kind = chat.KindUnknown
		if !documentedEvents[ev.name] {
			addWarning(m, ingest.WarnUnknownMsgType)
		}
	}
	if c != classReaction && ev.message != nil {
		// Only a message event's msg_id is its own. Other events name
		// messages they are about: user_received_message names the
		// message received, which must not be replaced by the receipt.
		r.fillContent(m, ev.message, c == classMessage || c == classGroup)
	}
	if ev.info != nil {
		fillInfo(m, ev.info)
	}

	if m.SourceID == "" {
		// The event has no id of its own: a reaction's msg_id is its
		// target's. Zalo retries an event with the same body, so this id
		// repeats for a retried event too.
		m.SourceID = ev.name + ":" + m.Sender.ID + ":" + strconv.FormatInt(ms, 10)
	}
	return m, ""
}

// otherParties returns the sender, the conversation and the direction of an
// event the importer does not model. The user is the party that is not the
// OA. When the OA id is unknown, the event name shows which side the OA is.
func otherParties(ev *event, oa string, fromOA bool) (sender, conversation string, dir chat.Direction) {
	if oa != "" {
		if ev.sender == oa {
			return oa, ev.recipient, chat.Outbound
		}
		for _, id := range []string{ev.sender, ev.follower, ev.recipient, ev.userIDByApp} {
			if id != "" && id != oa {
				return firstNonEmpty(ev.sender, id), id, chat.Inbound
			}
		}
		return ev.sender, "", chat.Inbound
	}
	if fromOA {
		return ev.sender, firstNonEmpty(ev.recipient, ev.follower, ev.userIDByApp), chat.Outbound
	}
	user := firstNonEmpty(ev.sender, ev.follower, ev.recipient, ev.userIDByApp)
	return user, user, chat.Inbound
}

// messageString returns the string member name of the message object, or ""
// with an INVALID_FIELD warning on m when it is not a string.
func (r *reader) messageString(m *chat.Message, message []byte, name string) string {
	if message == nil {
		return ""
	}
	s, ok := jsonscan.IDValue(jsonscan.Lookup(message, name))
	if !ok {
		addWarning(m, ingest.WarnInvalidField)
	}
	return s
}

// fillContent reads the message object: msg_id when ownID is set, text,
// the replied-to message and the attachments.
func (r *reader) fillContent(m *chat.Message, message []byte, ownID bool) {
	var attachments, quote []byte
	var quoteID, url string
	it := jsonscan.NewMembers(message)
	for mem, ok := it.Next(); ok; mem, ok = it.Next() {
		var valid bool
		switch string(mem.DecodedName()) {
		case "msg_id":
			if !ownID {
				continue
			}
			m.SourceID, valid = jsonscan.IDValue(mem.Value)
		case "text":
			m.Text, valid = jsonscan.StringValue(mem.Value)
		case "quote_msg_id":
			quoteID, valid = jsonscan.IDValue(mem.Value)
		case "quote_msg":
			quote, valid = mem.Value, jsonscan.IsNull(mem.Value) || mem.Value[0] == '{'
			if !valid {
				quote = nil
			}
		case "url":
			url, valid = jsonscan.StringValue(mem.Value)
		case "attachments":
			attachments, valid = mem.Value, jsonscan.IsNull(mem.Value) || mem.Value[0] == '['
			if jsonscan.IsNull(mem.Value) || !valid {
				attachments = nil
			}
		default:
			continue
		}
		if !valid {
			addWarning(m, ingest.WarnInvalidField)
		}
	}

	m.ReplyTo = quoteID
	if m.ReplyTo == "" && quote != nil {
		m.ReplyTo, _ = jsonscan.IDValue(jsonscan.Lookup(quote, "msg_id"))
	}
	if attachments != nil {
		elems := jsonscan.NewElements(attachments)
		for raw, ok := elems.Next(); ok; raw, ok = elems.Next() {
			if raw[0] != '{' {
				addWarning(m, ingest.WarnInvalidField)
				continue
			}
			r.fillAttachment(m, raw)
		}
	} else if url != "" && m.Kind.IsMedia() {
		// Some receivers log a media message with its url directly under
		// message rather than in an attachment.
		m.Attachments = append(m.Attachments, remote(chat.Attachment{Kind: attachmentKindOf(m.Kind), URI: url}))
	}
}

// attachmentKindOf returns the attachment kind of a media message kind.
func attachmentKindOf(k chat.Kind) string {
	switch k {
	case chat.KindImage:
		return "image"
	case chat.KindVoice:
		return "voice"
	case chat.KindVideo:
		return "video"
	}
	return "file"
}

// remote marks an attachment whose bytes are only at its URI, or not known
// at all.
func remote(a chat.Attachment) chat.Attachment {
	absent := false
	a.Present = &absent
	a.AbsentReason = chat.AbsentRemoteURLOnly
	if a.URI == "" {
		a.AbsentReason = chat.AbsentUnavailable
	}
	return a
}

// fillAttachment reads one attachment, {type, payload}. Media become
// attachments; a location and a business card fill Location and Contact.
func (r *reader) fillAttachment(m *chat.Message, raw []byte) {
	typ, ok := jsonscan.StringValue(jsonscan.Lookup(raw, "type"))
	payload := jsonscan.Lookup(raw, "payload")
	if !ok || (!jsonscan.IsNull(payload) && payload[0] != '{') {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	if jsonscan.IsNull(payload) {
		payload = []byte("{}")
	}
	str := func(name string) string {
		s, ok := jsonscan.IDValue(jsonscan.Lookup(payload, name))
		if !ok {
			addWarning(m, ingest.WarnInvalidField)
		}
		return s
	}

	switch typ {
	case "location":
		fillLocation(m, payload)
		return
	case "business_card", "contact":
		// NOTE: the payload of a business card is not documented; the raw
		// payload is kept, and the names below are guesses.
		m.Contact = &chat.Contact{Name: str("name"), Phone: str("phone"), UserID: str("user_id"), RawParams: string(payload)}
		return
	case "link":
		a := chat.Attachment{Kind: "link", URI: str("url"), Title: str("title"), Description: str("description")}
		m.Attachments = append(m.Attachments, a)
		m.IndexText = joinText(m.IndexText, a.Title, a.Description)
		return
	}

	a := chat.Attachment{URI: str("url")}
	switch typ {
	case "image", "photo":
		a.Kind = "image"
	case "gif":
		a.Kind, a.MIME = "image", "image/gif"
	case "file":
		a.Kind, a.Name, a.Ext, a.ChecksumMD5 = "file", str("name"), str("type"), str("checksum")
		if size, present, ok := jsonscan.IntValue(jsonscan.Lookup(payload, "size")); !ok || size < 0 {
			addWarning(m, ingest.WarnInvalidField)
		} else if present {
			a.Size = &size
		}
	case "sticker":
		a.Kind, a.StickerID = "sticker", str("id")
	case "audio", "voice":
		a.Kind = "voice"
	case "video":
		a.Kind = "video"
	default:
		a.Kind = "unknown"
	}
	m.Attachments = append(m.Attachments, remote(a))
}

// fillLocation reads payload.coordinates, {latitude, longitude} or
// {lat, long}, each a number or a string holding one.
func fillLocation(m *chat.Message, payload []byte) {
	coords := jsonscan.Lookup(payload, "coordinates")
	if jsonscan.IsNull(coords) || coords[0] != '{' {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	lat, ok1 := floatValue(firstPresent(jsonscan.Lookup(coords, "latitude"), jsonscan.Lookup(coords, "lat")))
	long, ok2 := floatValue(firstPresent(jsonscan.Lookup(coords, "longitude"), jsonscan.Lookup(coords, "long")))
	if !ok1 || !ok2 || lat < -90 || lat > 90 || long < -180 || long > 180 {
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	title, _ := jsonscan.StringValue(jsonscan.Lookup(payload, "address"))
	m.Location = &chat.Location{Latitude: lat, Longitude: long, Title: title}
}

// floatValue returns a number written as a JSON number or as a string
// holding one. ok is false for anything else, absent included.
func floatValue(raw []byte) (float64, bool) {
	if jsonscan.IsNull(raw) {
		return 0, false
	}
	text := string(raw)
	if raw[0] == '"' {
		text = strings.TrimSpace(jsonscan.DecodeString(raw))
	}
	f, err := strconv.ParseFloat(text, 64)
	return f, err == nil
}

func firstPresent(values ...[]byte) []byte {
	for _, v := range values {
		if !jsonscan.IsNull(v) {
			return v
		}
	}
	return nil
}

// fillInfo reads the info a user submitted (user_submit_info): a name, a
// phone number and an address. The contact holds the name and phone, and
// every string value of info goes to IndexText, so that a search for the
// phone number finds the event.
func fillInfo(m *chat.Message, info []byte) {
	var contact chat.Contact
	it := jsonscan.NewMembers(info)
	for mem, ok := it.Next(); ok; mem, ok = it.Next() {
		s, ok := jsonscan.StringValue(mem.Value)
		if !ok {
			continue // a number or object of info is kept in Raw only
		}
		switch string(mem.DecodedName()) {
		case "name":
			contact.Name = s
		case "phone":
			contact.Phone = s
		}
		m.IndexText = joinText(m.IndexText, s)
	}
	if contact != (chat.Contact{}) {
		m.Contact = &contact
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

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// addWarning adds a warning code to m unless m already carries it.
func addWarning(m *chat.Message, code string) {
	if !slices.Contains(m.Warnings, code) {
		m.Warnings = append(m.Warnings, code)
	}
}

// maxInterned bounds the strings an interner keeps.
const maxInterned = 4096

// interner returns the same string each time it reads the same short
// value, so that the user ids and event names repeated in every event cost
// one allocation each rather than one per event.
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

// id returns the id that raw contains, as jsonscan.IDValue does.
func (in interner) id(raw []byte) (string, bool) {
	if len(raw) > 0 && raw[0] == '"' {
		return in.value(raw)
	}
	return jsonscan.IDValue(raw)
}

// slabSize is the size of the blocks that hold the Raw bytes of messages.
// Copying many lines into one block costs less than one allocation each; a
// block stays in memory while any of its messages does.
const slabSize = 64 << 10

// keep returns a copy of line that the reader never changes, carved from
// the current slab when line is small.
func (r *reader) keep(line []byte) []byte {
	if len(line) > slabSize/8 {
		return slices.Clone(line)
	}
	if len(r.slab)+len(line) > cap(r.slab) {
		r.slab = make([]byte, 0, slabSize)
	}
	start := len(r.slab)
	r.slab = append(r.slab, line...)
	return r.slab[start:len(r.slab):len(r.slab)]
}
