package zalo

import (
	"math"
	"slices"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
)

// Zalo message types (msgType), as named by getClientMessageType in zca-js
// src/utils.ts, plus chat.todo from its quote code.
const (
	typeText      = "webchat"
	typePhoto     = "chat.photo"
	typeGIF       = "chat.gif"
	typeDoodle    = "chat.doodle"
	typeFile      = "share.file"
	typeVoice     = "chat.voice"
	typeVideo     = "chat.video.msg"
	typeSticker   = "chat.sticker"
	typeRecommend = "chat.recommended"
	typeLink      = "chat.link"
	typeLocation  = "chat.location.new"
	typeTask      = "chat.todo"
)

// Actions of chat.recommended that are not link shares. Zalo spells them
// "recommened"; the correct spelling is accepted too in case it is fixed.
const (
	actionContact          = "recommened.user"
	actionCall             = "recommened.calltime"
	actionContactCorrected = "recommended.user"
	actionCallCorrected    = "recommended.calltime"
)

// Attachment kinds of chat.Attachment.Kind.
const (
	attachImage   = "image"
	attachFile    = "file"
	attachVoice   = "voice"
	attachVideo   = "video"
	attachSticker = "sticker"
	attachLink    = "link"
)

// attachmentContent is the content object of every non-text message type
// except stickers: {title, description, href, thumb, childnumber, action,
// params, type}, where params is a JSON document encoded as a string.
type attachmentContent struct {
	title       string
	description string
	href        string
	thumb       string
	action      string
	// rawParams is params as written: the string's value, or the JSON text
	// of an object.
	rawParams string
	params    params
}

// parseContent sets Kind, Text and the content fields of a message from its
// msgType and content. It has no error result because the message is kept
// either way. Content it cannot read adds warning codes, and an unknown
// msgType makes the message KindUnknown.
func parseContent(m *chat.Message, msgType string, data jsonObject) {
	switch msgType {
	case typeText:
		text, ferr := data.optionalString("content")
		if ferr != nil || data.member("content") == nil {
			m.Kind = chat.KindUnknown
			addWarning(m, ingest.WarnInvalidField)
			return
		}
		m.Kind = chat.KindText
		m.Text = text
		return
	case typeSticker:
		parseSticker(m, data)
		return
	case typePhoto, typeGIF, typeDoodle, typeFile, typeVoice, typeVideo,
		typeRecommend, typeLink, typeLocation, typeTask:
	default:
		m.Kind = chat.KindUnknown
		addWarning(m, ingest.WarnUnknownMsgType)
		// The text of an unknown type that has one is still searchable.
		if text, ferr := data.optionalString("content"); ferr == nil {
			m.Text = text
		}
		return
	}

	c, ok := decodeAttachmentContent(m, data)
	if !ok {
		m.Kind = chat.KindUnknown
		addWarning(m, ingest.WarnInvalidField)
		return
	}
	switch msgType {
	case typePhoto:
		m.Kind = chat.KindImage
		m.Text = c.title // the caption
		m.Attachments = []chat.Attachment{imageAttachment(m, c)}
	case typeGIF, typeDoodle:
		m.Kind = chat.KindImage
		m.Attachments = []chat.Attachment{imageAttachment(m, c)}
	case typeFile:
		m.Kind = chat.KindFile
		m.Attachments = []chat.Attachment{fileAttachment(m, c)}
	case typeVoice:
		m.Kind = chat.KindVoice
		m.Attachments = []chat.Attachment{mediaAttachment(m, c, attachVoice)}
	case typeVideo:
		m.Kind = chat.KindVideo
		m.Attachments = []chat.Attachment{mediaAttachment(m, c, attachVideo)}
	case typeRecommend:
		switch c.action {
		case actionContact, actionContactCorrected:
			parseContact(m, c)
		case actionCall, actionCallCorrected:
			parseCall(m, c)
		default:
			parseLink(m, c)
		}
	case typeLink:
		parseLink(m, c)
	case typeLocation:
		parseLocation(m, c)
	case typeTask:
		parseTask(m, c)
	}
}

// decodeAttachmentContent reads the content object. ok is false when content
// is not an object. A member of the wrong type is read as empty with an
// INVALID_FIELD warning, and params that are not JSON give an
// UNPARSEABLE_PARAMS warning.
func decodeAttachmentContent(m *chat.Message, data jsonObject) (attachmentContent, bool) {
	obj, ok, ferr := data.optionalObject("content")
	if ferr != nil || !ok {
		return attachmentContent{}, false
	}

	var c attachmentContent
	fields := []struct {
		name string
		dst  *string
	}{
		{"title", &c.title},
		{"description", &c.description},
		{"href", &c.href},
		{"thumb", &c.thumb},
		{"action", &c.action},
	}
	for _, f := range fields {
		s, ferr := obj.optionalString(f.name)
		if ferr != nil {
			addWarning(m, ingest.WarnInvalidField)
			continue
		}
		*f.dst = s
	}

	raw := obj.member("params")
	switch jsonType(raw) {
	case "nothing": // absent or null
	case "string":
		s, ferr := obj.optionalString("params")
		if ferr != nil {
			addWarning(m, ingest.WarnUnparseableParams)
			break
		}
		c.rawParams = s
		if strings.TrimSpace(s) == "" {
			break // empty params mean none
		}
		p, ok := decodeParams([]byte(s))
		if !ok {
			addWarning(m, ingest.WarnUnparseableParams)
			break
		}
		c.params = p
	case "object":
		c.rawParams = string(raw)
		p, ok := decodeParams(raw)
		if !ok {
			addWarning(m, ingest.WarnUnparseableParams)
			break
		}
		c.params = p
	default:
		addWarning(m, ingest.WarnUnparseableParams)
	}
	return c, true
}

// params is the decoded params document of an attachment. Its getters accept
// numbers written as strings and the reverse, because third-party samples
// show both. A getter that cannot read a present value sets bad, which
// becomes an UNPARSEABLE_PARAMS warning.
type params struct {
	obj jsonObject
	bad bool
}

func decodeParams(text []byte) (params, bool) {
	top, reason := decodeLine(text)
	if reason != "" {
		return params{}, false
	}
	obj, ferr := decodeObject("params", top)
	if ferr != nil {
		return params{}, false
	}
	return params{obj: obj}, true
}

// text returns the member name as text: a string's value or a number's
// digits.
func (p *params) text(name string) string {
	if p.obj.members == nil {
		return ""
	}
	raw := p.obj.member(name)
	if jsonType(raw) == "number" {
		return string(raw)
	}
	s, ferr := p.obj.optionalString(name)
	if ferr != nil {
		p.bad = true
	}
	return s
}

// integer returns the integer member name, or ok false when it is absent or
// cannot be read.
func (p *params) integer(name string) (n int64, ok bool) {
	if p.obj.members == nil {
		return 0, false
	}
	n, ok, ferr := p.obj.optionalInt(name)
	if ferr != nil {
		p.bad = true
		return 0, false
	}
	return n, ok
}

// dimension returns a width or height in pixels, 0 when absent or invalid.
func (p *params) dimension(name string) int {
	n, ok := p.integer(name)
	if !ok {
		return 0
	}
	if n < 0 || n > math.MaxInt32 {
		p.bad = true
		return 0
	}
	return int(n)
}

// number returns the number member name, or ok false when it is absent or
// cannot be read.
func (p *params) number(name string) (f float64, ok bool) {
	if p.obj.members == nil {
		return 0, false
	}
	f, ok, ferr := p.obj.optionalFloat(name)
	if ferr != nil {
		p.bad = true
		return 0, false
	}
	return f, ok
}

// warnIfBad adds UNPARSEABLE_PARAMS to m when a getter failed.
func (p *params) warnIfBad(m *chat.Message) {
	if p.bad {
		addWarning(m, ingest.WarnUnparseableParams)
	}
}

// markRemote records that the input gives only the attachment's URL, or none.
// Zalo CDN links expire, so the archive must fetch and hash the bytes at
// ingest time.
func markRemote(a *chat.Attachment) {
	present := false
	a.Present = &present
	if a.URI != "" {
		a.AbsentReason = chat.AbsentRemoteURLOnly
	} else {
		a.AbsentReason = chat.AbsentUnavailable
	}
}

// imageAttachment reads a photo, GIF or doodle. URI is the original, href.
// AltURIs lists the other sizes that params and thumb name, hd first and then
// the thumbnails.
func imageAttachment(m *chat.Message, c attachmentContent) chat.Attachment {
	p := &c.params
	hd := p.text("hd")
	normal := p.text("normalUrl")
	thumbURL := p.text("thumbUrl")

	a := chat.Attachment{Kind: attachImage, URI: c.href}
	if a.URI == "" {
		a.URI = firstNonEmpty(normal, hd)
	}
	a.AltURIs = otherURIs(a.URI, hd, normal, thumbURL, c.thumb)
	a.Width = p.dimension("width")
	a.Height = p.dimension("height")
	markRemote(&a)
	p.warnIfBad(m)
	return a
}

// fileAttachment reads share.file: title is the file name, and params carry
// fileSize (a string of bytes), checksum (MD5 in hex) and fileExt.
func fileAttachment(m *chat.Message, c attachmentContent) chat.Attachment {
	p := &c.params
	a := chat.Attachment{
		Kind:        attachFile,
		Name:        c.title,
		URI:         c.href,
		ChecksumMD5: p.text("checksum"),
		Ext:         p.text("fileExt"),
	}
	if size, ok := p.integer("fileSize"); ok {
		if size >= 0 {
			a.Size = &size
		} else {
			p.bad = true
		}
	}
	markRemote(&a)
	p.warnIfBad(m)
	return a
}

// mediaAttachment reads a voice or video message.
func mediaAttachment(m *chat.Message, c attachmentContent, kind string) chat.Attachment {
	p := &c.params
	a := chat.Attachment{Kind: kind, URI: c.href}
	a.AltURIs = otherURIs(a.URI, c.thumb)
	// NOTE: params.duration is taken to be milliseconds, as the values in
	// third-party samples suggest; no Zalo documentation confirms the unit.
	if ms, ok := p.integer("duration"); ok && ms >= 0 {
		a.DurationMS = ms
	} else if ok {
		p.bad = true
	}
	if kind == attachVideo {
		a.Width = p.dimension("video_width")
		a.Height = p.dimension("video_height")
	}
	markRemote(&a)
	p.warnIfBad(m)
	return a
}

// parseSticker reads a sticker, whose content is {id, catId, type} with
// numbers.
func parseSticker(m *chat.Message, data jsonObject) {
	m.Kind = chat.KindSticker
	content, ok, ferr := data.optionalObject("content")
	if ferr != nil || !ok {
		addWarning(m, ingest.WarnInvalidField)
		m.Attachments = []chat.Attachment{{Kind: attachSticker}}
		return
	}
	id, err1 := content.optionalID("id")
	category, err2 := content.optionalID("catId")
	if err1 != nil || err2 != nil {
		addWarning(m, ingest.WarnInvalidField)
	}
	m.Attachments = []chat.Attachment{{Kind: attachSticker, StickerID: id, CategoryID: category}}
}

// parseContact reads a shared contact card: title is the contact's name, and
// params may carry phone and uid. RawParams keeps params as written.
func parseContact(m *chat.Message, c attachmentContent) {
	p := &c.params
	m.Kind = chat.KindContact
	m.Contact = &chat.Contact{
		Name:      c.title,
		Phone:     p.text("phone"),
		UserID:    p.text("uid"),
		RawParams: c.rawParams,
	}
	p.warnIfBad(m)
}

// parseCall reads a call bubble: params are {duration (seconds), calltype}.
// Call stays nil, with an UNPARSEABLE_PARAMS warning, when the duration
// cannot be read.
func parseCall(m *chat.Message, c attachmentContent) {
	p := &c.params
	m.Kind = chat.KindCall
	duration, ok := p.integer("duration")
	callType, _ := p.integer("calltype")
	if ok && duration >= 0 {
		m.Call = &chat.Call{DurationSeconds: duration, RawCallType: callType}
	} else {
		p.bad = true
	}
	p.warnIfBad(m)
}

// parseLink reads a link share into a link attachment and makes its title and
// description searchable through IndexText.
func parseLink(m *chat.Message, c attachmentContent) {
	m.Kind = chat.KindLink
	m.Attachments = []chat.Attachment{{
		Kind:        attachLink,
		URI:         c.href,
		Title:       c.title,
		Description: c.description,
	}}
	m.IndexText = joinNonEmpty(c.title, c.description)
}

// parseLocation reads a shared location. Title and description go to
// IndexText so that they are searchable.
//
// NOTE: the raw shape of chat.location.new is not documented, so the
// coordinates are looked for in params under the usual names (latitude or
// lat, longitude or lng, lon, long). Without both, Location stays nil and the
// message gets an UNPARSEABLE_PARAMS warning.
func parseLocation(m *chat.Message, c attachmentContent) {
	p := &c.params
	m.Kind = chat.KindLocation
	m.IndexText = joinNonEmpty(c.title, c.description)

	lat, latOK := firstFloat(p, "latitude", "lat")
	lng, lngOK := firstFloat(p, "longitude", "lng", "lon", "long")
	// NaN fails both range comparisons.
	valid := latOK && lngOK && math.Abs(lat) <= 90 && math.Abs(lng) <= 180
	if valid {
		m.Location = &chat.Location{Latitude: lat, Longitude: lng, Title: c.title}
	} else {
		p.bad = true
	}
	p.warnIfBad(m)
}

// parseTask reads a to-do item, whose text is params.item.content.
func parseTask(m *chat.Message, c attachmentContent) {
	m.Kind = chat.KindTask
	if c.params.obj.members == nil {
		addWarning(m, ingest.WarnUnparseableParams)
		return
	}
	item, ok, ferr := c.params.obj.optionalObject("item")
	if ferr != nil || !ok {
		addWarning(m, ingest.WarnUnparseableParams)
		return
	}
	text, ferr := item.optionalString("content")
	if ferr != nil {
		addWarning(m, ingest.WarnUnparseableParams)
		return
	}
	m.Text = text
}

func firstFloat(p *params, names ...string) (float64, bool) {
	for _, name := range names {
		if f, ok := p.number(name); ok {
			return f, true
		}
	}
	return 0, false
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// otherURIs returns the distinct non-empty candidates that differ from uri,
// in order.
func otherURIs(uri string, candidates ...string) []string {
	var out []string
	for _, c := range candidates {
		if c == "" || c == uri || slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// joinNonEmpty joins the non-empty parts with newlines.
func joinNonEmpty(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n")
}
