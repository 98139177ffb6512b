package messenger

import (
	"io/fs"
	"path"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
)

// e2eeMessage is one element of an E2EE messages array.
type e2eeMessage struct {
	SenderName string
	Text       string
	Type       string
	IsUnsent   bool
	Media      []dyiMedia
	Reactions  []reaction
}

// failedMediaURI is the uri the E2EE export writes for media it could not
// download.
const failedMediaURI = "Failed to download media"

// parseE2EE maps one E2EE message item to a message, or returns why it
// cannot.
func (r *Reader) parseE2EE(th *thread, it item, raw []byte) (*chat.Message, string) {
	var em e2eeMessage
	if reason := decodeE2EE(&r.decoder, raw, &em); reason != "" {
		return nil, reason
	}
	var warnings []string
	if r.decoder.invalid {
		warnings = append(warnings, ingest.WarnInvalidField)
	}

	fix := &r.decoder.fix
	sender := em.SenderName
	text := em.Text
	m := r.newMessage(th, it, raw, sender)
	m.SourceID = th.sourceID(it.ts, sender, text)
	m.Text = text
	m.RawType = em.Type
	m.Warnings = warnings
	if em.IsUnsent {
		m.Flags = append(m.Flags, "unsent")
	}

	dir := path.Dir(th.files[it.file].name)
	for _, media := range em.Media {
		m.Attachments = append(m.Attachments, e2eeAttachment(dir, media.URI))
	}

	switch em.Type {
	case "text", "":
		m.Kind = chat.KindText
	case "link":
		m.Kind = chat.KindLink
	case "media":
		m.Kind = chat.KindFile
	case "placeholder":
		// A placeholder marks content that the export does not include.
		m.Kind = chat.KindUnknown
		m.Warnings = append(m.Warnings, ingest.WarnUnsupportedMessage)
	default:
		m.Kind = chat.KindUnknown
		m.Warnings = append(m.Warnings, ingest.WarnUnknownMsgType)
	}
	if len(m.Attachments) > 0 && (m.Kind == chat.KindText || m.Kind == chat.KindFile) {
		m.Kind = mediaKind(m.Attachments[0].Kind)
	}
	m.Reactions = reactions(em.Reactions)

	r.countRepairs(th, fix.repaired)
	if fix.failed {
		m.Warnings = append(m.Warnings, ingest.WarnMojibakeNotRepairable)
	}
	return m, ""
}

// decodeE2EE decodes an E2EE message item into em. It returns the syntax
// error of an invalid item, and sets d.invalid when a mapped member has the
// wrong type.
func decodeE2EE(d *decoder, raw []byte, em *e2eeMessage) string {
	d.reset(raw)
	ok := d.object(func(name []byte) {
		switch string(name) {
		case "senderName":
			d.string(&em.SenderName)
		case "text":
			d.string(&em.Text)
		case "type":
			d.string(&em.Type)
		case "isUnsent":
			d.bool(&em.IsUnsent)
		case "media":
			decodeMediaList(d, &em.Media)
		case "reactions":
			decodeReactions(d, &em.Reactions)
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

// e2eeAttachment returns the attachment of an E2EE media uri, which is
// relative to the folder dir of its JSON file.
func e2eeAttachment(dir, uri string) chat.Attachment {
	if uri == failedMediaURI {
		absent := false
		return chat.Attachment{Kind: "unknown", Present: &absent, AbsentReason: AbsentDownloadFailed}
	}
	if strings.Contains(uri, "://") || uri == "" {
		return chat.Attachment{Kind: kindOfFile(uri), URI: uri}
	}
	clean := path.Clean(uri)
	a := chat.Attachment{Kind: kindOfFile(clean), URI: clean, Name: path.Base(clean)}
	if p := path.Join(dir, clean); fs.ValidPath(p) {
		a.Path = p
	}
	return a
}

// mediaKind returns the message kind of a message whose first attachment
// is of kind attachment.
func mediaKind(attachment string) chat.Kind {
	switch attachment {
	case "image":
		return chat.KindImage
	case "video":
		return chat.KindVideo
	case "voice":
		return chat.KindVoice
	}
	return chat.KindFile
}

// kindOfFile guesses an attachment's kind from its file name extension,
// the only hint the E2EE export gives.
func kindOfFile(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp":
		return "image"
	case ".mp4", ".mov", ".webm", ".m4v", ".3gp":
		return "video"
	case ".m4a", ".mp3", ".aac", ".ogg", ".opus", ".wav", ".amr":
		return "voice"
	}
	return "file"
}
