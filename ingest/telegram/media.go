package telegram

import (
	"io/fs"
	"path"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
)

// Absent reasons for a file Telegram Desktop did not export. Each matches
// one of the sentences it writes in place of the path.
const (
	// AbsentNotIncluded: the export settings left out files of this type.
	AbsentNotIncluded = "not_included_by_settings"
	// AbsentTooLarge: the file was larger than the export settings allow.
	AbsentTooLarge = "exceeds_size_limit"
)

// skipSentences lists the sentences Telegram Desktop (export_output_json.cpp,
// pushPath) writes in place of a file's path when it did not download the
// file, each after the space that separates it from a file name that may
// precede it.
var skipSentences = []struct {
	sentence, reason string
}{
	{" (File not included. Change data exporting settings to download.)", AbsentNotIncluded},
	{" (File exceeds maximum size. Change data exporting settings to download.)", AbsentTooLarge},
	{" (File unavailable, please try again later)", chat.AbsentUnavailable},
}

// skipReason returns the absent reason for a path member that holds one of
// the skip sentences, and the name written before it, if any. A real file
// name may itself contain parentheses, so only the full sentences count.
func skipReason(p string) (reason, name string, skipped bool) {
	if !strings.HasSuffix(p, ")") {
		return "", "", false
	}
	for _, s := range skipSentences {
		if p == s.sentence[1:] {
			return s.reason, "", true
		}
		if before, ok := strings.CutSuffix(p, s.sentence); ok {
			return s.reason, before, true
		}
	}
	return "", "", false
}

// mediaKinds maps Telegram's media_type to the message kind and the
// attachment kind.
var mediaKinds = map[string]struct {
	message    chat.Kind
	attachment string
}{
	"sticker":       {chat.KindSticker, "sticker"},
	"voice_message": {chat.KindVoice, "voice"},
	"video_message": {chat.KindVideo, "video"},
	"video_file":    {chat.KindVideo, "video"},
	"animation":     {chat.KindVideo, "video"},
	"audio_file":    {chat.KindFile, "audio"},
}

// attach adds the attachment of a photo or file member to m. p is the
// member's decoded value. It returns whether the export holds the bytes
// nowhere.
func (r *Reader) attach(m *chat.Message, a chat.Attachment, p string) (missing bool) {
	if reason, name, skipped := skipReason(p); skipped {
		f := false
		a.Present = &f
		a.AbsentReason = reason
		if a.Name == "" {
			a.Name = name
		}
		m.Attachments = append(m.Attachments, a)
		return true
	}
	if p == "" {
		f := false
		a.Present = &f
		a.AbsentReason = chat.AbsentNotInExport
		m.Attachments = append(m.Attachments, a)
		return true
	}

	a.URI = p
	if a.Name == "" {
		a.Name = path.Base(p)
	}
	// Telegram writes paths relative to the folder of result.json, with
	// forward slashes. A path that leaves the export gets no Path, so its
	// bytes are never looked up.
	inExport := p
	if r.dir != "" {
		inExport = r.dir + "/" + p
	}
	if inExport = path.Clean(inExport); fs.ValidPath(inExport) && !strings.Contains(p, `\`) {
		a.Path = inExport
	}
	m.Attachments = append(m.Attachments, a)
	return false
}

// media reads the photo, file, contact and location members of f into m and
// sets m.Kind when the message carries one of them. It returns the
// per-message warnings.
func (r *Reader) media(m *chat.Message, f *fields) (warnings []string) {
	missing := false
	invalid := false
	str := func(v []byte) string {
		s, ok := optionalString(v)
		invalid = invalid || !ok
		return s
	}
	num := func(v []byte) int64 {
		if isNull(v) {
			return 0
		}
		n, ok := integer(v)
		invalid = invalid || !ok
		return n
	}
	size := func(v []byte) *int64 {
		if isNull(v) {
			return nil
		}
		n := num(v)
		return &n
	}

	switch {
	case f.photo != nil:
		a := chat.Attachment{
			Kind:   "image",
			Width:  int(num(f.width)),
			Height: int(num(f.height)),
			Size:   size(f.photoSize),
		}
		missing = r.attach(m, a, str(f.photo))
		if m.Kind == chat.KindText {
			m.Kind = chat.KindImage
		}

	case f.file != nil:
		mediaType := str(f.mediaType)
		kind, known := mediaKinds[mediaType]
		if !known {
			kind.message, kind.attachment = chat.KindFile, "file"
		}
		a := chat.Attachment{
			Kind:       kind.attachment,
			Name:       str(f.fileName),
			MIME:       str(f.mime),
			Size:       size(f.fileSize),
			Width:      int(num(f.width)),
			Height:     int(num(f.height)),
			DurationMS: num(f.duration) * 1000,
		}
		switch mediaType {
		case "sticker":
			a.Title = str(f.stickerEmoji) // a sticker's emoji is its only title
		case "audio_file":
			a.Title = str(f.title)
			a.Description = str(f.performer)
		}
		missing = r.attach(m, a, str(f.file))
		if m.Kind == chat.KindText {
			m.Kind = kind.message
		}
	}

	if f.contact != nil {
		var c chat.Contact
		var first, last string
		ok := eachMember(f.contact, func(name, value []byte) {
			switch string(name) {
			case "first_name":
				first = str(value)
			case "last_name":
				last = str(value)
			case "phone_number":
				c.Phone = str(value)
			}
		})
		invalid = invalid || !ok
		c.Name = strings.TrimSpace(first + " " + last)
		m.Contact = &c
		if f.contactVcard != nil {
			a := chat.Attachment{Kind: "file", MIME: "text/vcard", Size: size(f.contactVSize)}
			missing = r.attach(m, a, str(f.contactVcard)) || missing
		}
		if m.Kind == chat.KindText {
			m.Kind = chat.KindContact
		}
	}

	if f.location != nil || f.placeName != nil {
		loc := chat.Location{Title: str(f.placeName)}
		if loc.Title == "" {
			loc.Title = str(f.address)
		}
		if !isNull(f.location) {
			var lat, long []byte
			ok := eachMember(f.location, func(name, value []byte) {
				switch string(name) {
				case "latitude":
					lat = value
				case "longitude":
					long = value
				}
			})
			var okLat, okLong bool
			loc.Latitude, okLat = number(lat)
			loc.Longitude, okLong = number(long)
			invalid = invalid || !ok || !okLat || !okLong
		}
		m.Location = &loc
		if m.Kind == chat.KindText {
			m.Kind = chat.KindLocation
		}
	}

	if missing {
		warnings = append(warnings, ingest.WarnMediaNotInExport)
	}
	if invalid {
		warnings = append(warnings, ingest.WarnInvalidField)
	}
	return warnings
}
