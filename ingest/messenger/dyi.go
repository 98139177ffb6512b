package messenger

import (
	"io/fs"
	"path"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
)

// dyiMessage is one element of a DYI messages array. Members that the
// importer does not map stay in Raw.
type dyiMessage struct {
	SenderName   string
	Content      string
	Type         string
	IsUnsent     bool
	Photos       []dyiMedia
	Videos       []dyiMedia
	AudioFiles   []dyiMedia
	Gifs         []dyiMedia
	Files        []dyiMedia
	Sticker      *dyiMedia
	Share        *dyiShare
	Reactions    []reaction
	CallDuration *int64
	Users        []dyiPerson
}

type dyiMedia struct {
	URI string
}

type dyiShare struct {
	Link      string
	ShareText string
}

type dyiPerson struct {
	Name string
}

// reaction is a reaction in either export.
type reaction struct {
	Reaction string
	Actor    string
}

// DYI message types of older archives, which wrote a type on every message.
var dyiTypes = map[string]bool{
	"Generic": true, "Share": true, "Call": true, "Subscribe": true, "Unsubscribe": true,
}

// parseDYI maps one DYI message item to a message, or returns why it cannot.
func (r *Reader) parseDYI(th *thread, it item, raw []byte) (*chat.Message, string) {
	var dm dyiMessage
	if reason := decodeDYI(&r.decoder, raw, &dm); reason != "" {
		return nil, reason
	}
	var warnings []string
	if r.decoder.invalid {
		warnings = append(warnings, ingest.WarnInvalidField)
	}

	fix := &r.decoder.fix
	sender := dm.SenderName
	text := dm.Content
	m := r.newMessage(th, it, raw, sender)
	m.SourceID = th.sourceID(it.ts, sender, text)
	m.Text = text
	m.RawType = dm.Type
	m.Kind = chat.KindText
	m.Warnings = warnings
	if dm.Type != "" && !dyiTypes[dm.Type] {
		m.Warnings = append(m.Warnings, ingest.WarnUnknownMsgType)
	}
	if dm.IsUnsent {
		m.Flags = append(m.Flags, "unsent")
	}

	groups := []struct {
		list []dyiMedia
		kind string
		msg  chat.Kind
	}{
		{dm.Photos, "image", chat.KindImage},
		{dm.Videos, "video", chat.KindVideo},
		{dm.AudioFiles, "voice", chat.KindVoice},
		{dm.Gifs, "image", chat.KindImage},
		{dm.Files, "file", chat.KindFile},
	}
	for _, g := range groups {
		for _, media := range g.list {
			m.Attachments = append(m.Attachments, dyiAttachment(g.kind, media.URI))
		}
		if len(g.list) > 0 && m.Kind == chat.KindText {
			m.Kind = g.msg
		}
	}
	if dm.Sticker != nil {
		m.Attachments = append(m.Attachments, dyiAttachment("sticker", dm.Sticker.URI))
		if m.Kind == chat.KindText {
			m.Kind = chat.KindSticker
		}
	}
	if dm.Share != nil {
		shareText := dm.Share.ShareText
		if dm.Share.Link != "" {
			m.Attachments = append(m.Attachments, chat.Attachment{Kind: "link", URI: dm.Share.Link, Description: shareText})
			if m.Kind == chat.KindText {
				m.Kind = chat.KindLink
			}
		}
		if shareText != "" && !strings.Contains(text, shareText) {
			m.IndexText = shareText
		}
	}

	switch {
	case dm.CallDuration != nil || dm.Type == "Call":
		m.Kind = chat.KindCall
		m.Call = &chat.Call{}
		if dm.CallDuration != nil {
			m.Call.DurationSeconds = max(*dm.CallDuration, 0)
		}
	case dm.Type == "Subscribe" || dm.Type == "Unsubscribe":
		m.Kind = chat.KindSystem
		for _, u := range dm.Users {
			m.Members = append(m.Members, chat.Participant{Name: u.Name})
		}
	}
	m.Reactions = reactions(dm.Reactions)

	r.countRepairs(th, fix.repaired)
	if fix.failed {
		m.Warnings = append(m.Warnings, ingest.WarnMojibakeNotRepairable)
	}
	return m, ""
}

// dyiAttachment returns the attachment of a DYI media uri, which is
// relative to the DYI root. Path is the uri too, and OpenMedia finds it in
// the export. A uri that is absolute or leaves the archive gets no Path.
func dyiAttachment(kind, uri string) chat.Attachment {
	a := chat.Attachment{Kind: kind, URI: uri}
	if clean := path.Clean(uri); uri != "" && fs.ValidPath(clean) && !strings.Contains(uri, "://") {
		a.Path = clean
		a.Name = path.Base(clean)
	}
	return a
}

func reactions(list []reaction) []chat.Reaction {
	if len(list) == 0 {
		return nil
	}
	out := make([]chat.Reaction, len(list))
	for i, x := range list {
		out[i] = chat.Reaction{Actor: x.Actor, Reaction: x.Reaction}
	}
	return out
}

// decodeDYI decodes a DYI message item into dm. It returns the syntax
// error of an invalid item, and sets d.invalid when a mapped member has the
// wrong type.
func decodeDYI(d *decoder, raw []byte, dm *dyiMessage) string {
	d.reset(raw)
	ok := d.object(func(name []byte) {
		switch string(name) {
		case "sender_name":
			d.string(&dm.SenderName)
		case "content":
			d.string(&dm.Content)
		case "type":
			d.string(&dm.Type)
		case "is_unsent":
			d.bool(&dm.IsUnsent)
		case "photos":
			decodeMediaList(d, &dm.Photos)
		case "videos":
			decodeMediaList(d, &dm.Videos)
		case "audio_files":
			decodeMediaList(d, &dm.AudioFiles)
		case "gifs":
			decodeMediaList(d, &dm.Gifs)
		case "files":
			decodeMediaList(d, &dm.Files)
		case "sticker":
			if d.isNull() {
				dm.Sticker = nil
				return
			}
			var media dyiMedia
			if decodeMedia(d, &media) {
				dm.Sticker = &media
			}
		case "share":
			if d.isNull() {
				dm.Share = nil
				return
			}
			var share dyiShare
			ok := d.object(func(name []byte) {
				switch string(name) {
				case "link":
					d.string(&share.Link)
				case "share_text":
					d.string(&share.ShareText)
				default:
					d.skip()
				}
			})
			if !ok {
				d.wrongType()
				return
			}
			dm.Share = &share
		case "reactions":
			decodeReactions(d, &dm.Reactions)
		case "call_duration":
			d.optionalInt(&dm.CallDuration)
		case "users":
			dm.Users = nil
			if d.isNull() {
				return
			}
			ok := d.array(func() {
				var person dyiPerson
				ok := d.object(func(name []byte) {
					if string(name) == "name" {
						d.string(&person.Name)
						return
					}
					d.skip()
				})
				if !ok {
					d.wrongType()
					return
				}
				dm.Users = append(dm.Users, person)
			})
			if !ok {
				d.wrongType()
			}
		default:
			d.skip()
		}
	})
	if !ok && d.err == "" {
		return "not a JSON object"
	}
	d.end()
	return d.err
}

// decodeMediaList reads an array of media objects, or null, into dst.
func decodeMediaList(d *decoder, dst *[]dyiMedia) {
	*dst = nil
	if d.isNull() {
		return
	}
	ok := d.array(func() {
		var media dyiMedia
		if decodeMedia(d, &media) {
			*dst = append(*dst, media)
		}
	})
	if !ok {
		d.wrongType()
	}
}

// decodeMedia reads a media object and reports whether it was one.
func decodeMedia(d *decoder, media *dyiMedia) bool {
	ok := d.object(func(name []byte) {
		if string(name) == "uri" {
			d.string(&media.URI)
			return
		}
		d.skip()
	})
	if !ok {
		d.wrongType()
	}
	return ok
}

// decodeReactions reads an array of reactions, or null, into dst.
func decodeReactions(d *decoder, dst *[]reaction) {
	*dst = nil
	if d.isNull() {
		return
	}
	ok := d.array(func() {
		var x reaction
		ok := d.object(func(name []byte) {
			switch string(name) {
			case "reaction":
				d.string(&x.Reaction)
			case "actor":
				d.string(&x.Actor)
			default:
				d.skip()
			}
		})
		if !ok {
			d.wrongType()
			return
		}
		*dst = append(*dst, x)
	})
	if !ok {
		d.wrongType()
	}
}
