package whatsapp

import (
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"chatseal/chat"
)

// Attachment kinds, as chat.Attachment.Kind spells them.
const (
	kindImage   = "image"
	kindVideo   = "video"
	kindAudio   = "audio"
	kindVoice   = "voice"
	kindSticker = "sticker"
	kindFile    = "file"
	kindUnknown = "unknown"
)

// content is the meaning of a message body.
type content struct {
	kind   chat.Kind
	text   string
	edited bool
	unsent bool // the sender deleted the message for everyone
	attach *chat.Attachment
}

// parseBody interprets the body of a message, the text after "Author: "
// with continuation lines joined by "\n". mediaDir is the folder of the
// export, relative to its root, in which the media files sit.
//
// The body's first line decides what the message is:
//
//   - an omitted-media phrase ("<Media omitted>", "image omitted"): an
//     attachment whose bytes the export does not hold;
//   - a file name and an attached phrase ("IMG-… (file attached)"), or an
//     iOS tag ("<attached: 00000012-PHOTO-….jpg>"), possibly after a
//     document title and page count: an attachment;
//   - a deleted-message phrase: an unsent message with no text.
//
// The lines after an attachment line are its caption, the message's text.
// Otherwise the whole body is the text. A localised edit marker at the end
// of the body is removed and sets edited. WhatsApp's invisible marks are
// removed from the start of the body and around the phrases, never from
// the middle of user text.
func parseBody(body, mediaDir string) content {
	body, edited := cutEditedMarker(body)
	body = trimLeadingMarks(body)
	first, caption, _ := strings.Cut(body, "\n")
	core := trimSpaceMarks(first)

	if a, ok := parseOmitted(core); ok {
		return content{kind: messageKind(a), text: caption, edited: edited, attach: a}
	}
	if a, ok := parseTag(core, mediaDir); ok {
		return content{kind: messageKind(a), text: caption, edited: edited, attach: a}
	}
	if a, ok := parseAttachedSuffix(core, mediaDir); ok {
		return content{kind: messageKind(a), text: caption, edited: edited, attach: a}
	}
	if !strings.Contains(body, "\n") && isDeletedPhrase(core) {
		return content{kind: chat.KindText, edited: edited, unsent: true}
	}
	return content{kind: chat.KindText, text: body, edited: edited}
}

// cutEditedMarker removes a localised "<This message was edited>" from the
// end of body. The marker must follow a space, with only invisible marks
// between them; elsewhere it is user text.
func cutEditedMarker(body string) (string, bool) {
	end := len(strings.TrimRightFunc(body, isMark))
	if end == 0 || body[end-1] != '>' {
		return body, false
	}
	lt := strings.LastIndexByte(body[:end], '<')
	if lt < 0 {
		return body, false
	}
	inner := strings.TrimSuffix(body[lt+1:end-1], ".")
	if !containsFold(editedMarkers, inner) {
		return body, false
	}
	before := strings.TrimRightFunc(body[:lt], isMark)
	if !strings.HasSuffix(before, " ") {
		return body, false
	}
	return before[:len(before)-1], true
}

// parseOmitted reads an omitted-media phrase, which may follow a document
// title and page count on iOS ("Báo giá.pdf • 3 pages document omitted").
func parseOmitted(line string) (*chat.Attachment, bool) {
	for _, p := range omittedByLastWord[strings.ToLower(lastWord(line))] {
		if len(line) < len(p.text) || !strings.EqualFold(line[len(line)-len(p.text):], p.text) {
			continue
		}
		a := &chat.Attachment{Kind: p.kind, Present: new(false), AbsentReason: chat.AbsentMediaOmitted}
		preamble := line[:len(line)-len(p.text)]
		if preamble == "" {
			return a, true
		}
		// Only iOS writes a title before the phrase, and always with the
		// U+200E mark between them, so "report.pdf image omitted" typed by
		// a user stays text.
		if strings.HasPrefix(p.text, "<") || !endsWithMark(preamble) {
			continue
		}
		title, ok := documentTitle(trimSpaceMarks(preamble))
		if !ok {
			continue
		}
		a.DisplayName = title
		a.Ext = extension(title)
		return a, true
	}
	return nil, false
}

// omittedByLastWord indexes omittedPhrases by their last word in lowercase,
// so that parseOmitted compares a body with a few phrases, not all.
var omittedByLastWord = func() map[string][]omittedPhrase {
	index := map[string][]omittedPhrase{}
	for _, p := range omittedPhrases {
		word := strings.ToLower(lastWord(p.text))
		index[word] = append(index[word], p)
	}
	return index
}()

// lastWord returns the text after the last space or mark of s.
func lastWord(s string) string {
	i := strings.LastIndexFunc(s, isSpaceOrMark)
	if i < 0 {
		return s
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[i+size:]
}

// parseTag reads the iOS form "[preamble] <LABEL: NAME>". The label must be
// one of attachedLabels, or a short word when NAME has iOS's eight-digit
// sequence prefix. A preamble must be a document title, with or without a
// page count; it becomes the display name.
func parseTag(line, mediaDir string) (*chat.Attachment, bool) {
	if !strings.HasSuffix(line, ">") {
		return nil, false
	}
	for i := strings.IndexByte(line, '<'); i >= 0; {
		inner := line[i+1 : len(line)-1]
		if label, name, ok := strings.Cut(inner, ":"); ok {
			label, name = trimSpaceMarks(label), trimSpaceMarks(name)
			known := containsFold(attachedLabels, label) || (isLabelWord(label) && hasIOSSequence(name))
			preamble := trimSpaceMarks(line[:i])
			title, titled := "", true
			if preamble != "" {
				title, titled = documentTitle(preamble)
			}
			if known && name != "" && titled {
				a := newAttachment(name, mediaDir)
				a.DisplayName = title
				return a, true
			}
		}
		next := strings.IndexByte(line[i+1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return nil, false
}

// parseAttachedSuffix reads the Android form "NAME (file attached)". NAME
// must look like a file name, so that a sentence ending in the phrase stays
// text; it may carry an iOS-style " • N pages" after it.
func parseAttachedSuffix(line, mediaDir string) (*chat.Attachment, bool) {
	if !strings.HasSuffix(line, ")") && !strings.HasSuffix(line, ">") {
		return nil, false
	}
	for _, p := range attachedPhrases {
		if len(line) <= len(p) || !strings.EqualFold(line[len(line)-len(p):], p) {
			continue
		}
		before := line[:len(line)-len(p)]
		if !endsWithSpaceOrMark(before) {
			continue
		}
		name, ok := documentTitle(trimSpaceMarks(before))
		if !ok {
			continue
		}
		return newAttachment(name, mediaDir), true
	}
	return nil, false
}

// documentTitle returns the file name at the start of s, which is either a
// file name or "NAME • N pages" (the page word in any language). It reports
// false when s is neither.
func documentTitle(s string) (string, bool) {
	if i := strings.LastIndex(s, "•"); i >= 0 && isPageCount(trimSpaceMarks(s[i+len("•"):])) {
		s = trimSpaceMarks(s[:i])
	}
	if !looksLikeFileName(s) {
		return "", false
	}
	return s, true
}

// isPageCount reports whether s is a number, spaces and one word: "3 pages",
// "12 páginas", "1 Seite".
func isPageCount(s string) bool {
	digits := 0
	for digits < len(s) && isDigit(s[digits]) {
		digits++
	}
	if digits == 0 {
		return false
	}
	rest := trimSpaceMarks(s[digits:])
	if rest == "" || len(rest) == len(s)-digits {
		return false
	}
	for _, r := range rest {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// looksLikeFileName reports whether s has an extension of 1 to 5 letters or
// digits after a non-empty stem, and no line break or path separator.
func looksLikeFileName(s string) bool {
	if s == "" || strings.ContainsAny(s, "\n/\\") {
		return false
	}
	ext := extension(s)
	return ext != "" && len(ext) <= 5 && len(s) > len(ext)+1
}

// extension returns the lowercase extension of name without the dot, or ""
// when it has none of ASCII letters and digits.
func extension(name string) string {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 || dot == len(name)-1 {
		return ""
	}
	ext := name[dot+1:]
	for i := 0; i < len(ext); i++ {
		c := ext[i]
		if !isDigit(c) && !(c|0x20 >= 'a' && c|0x20 <= 'z') {
			return ""
		}
	}
	return strings.ToLower(ext)
}

// newAttachment returns the attachment of a media file the export names.
// Its bytes sit beside the chat's .txt when the export includes media, so
// Path names that file and Present stays nil: the .txt alone cannot tell.
func newAttachment(name, mediaDir string) *chat.Attachment {
	a := &chat.Attachment{Kind: kindOfName(name), Name: name, Ext: extension(name)}
	if !strings.ContainsAny(name, "/\\") {
		if p := path.Join(mediaDir, name); fs.ValidPath(p) {
			a.Path = p
		}
	}
	return a
}

// kindOfName returns the attachment kind of a media file from WhatsApp's
// naming, falling back to the extension. Android names files
// PREFIX-YYYYMMDD-WA####.ext, where the prefix is IMG, VID, PTT (voice
// note), AUD, STK or DOC; iOS names them ########-KIND-YYYY-MM-DD-….ext.
func kindOfName(name string) string {
	if len(name) > 4 && name[3] == '-' && isDigit(name[4]) {
		switch strings.ToUpper(name[:3]) {
		case "IMG":
			return kindImage
		case "VID":
			return kindVideo
		case "PTT":
			return kindVoice
		case "AUD":
			return kindAudio
		case "STK":
			return kindSticker
		case "DOC":
			return kindFile
		}
	}
	if hasIOSSequence(name) {
		rest := name[9:]
		switch {
		case strings.HasPrefix(rest, "PHOTO-"):
			return kindImage
		case strings.HasPrefix(rest, "VIDEO-"), strings.HasPrefix(rest, "GIF-"):
			return kindVideo
		case strings.HasPrefix(rest, "AUDIO-"):
			return kindAudio
		case strings.HasPrefix(rest, "STICKER-"):
			return kindSticker
		}
	}
	switch extension(name) {
	case "":
		return kindUnknown
	case "jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp", "tif", "tiff":
		return kindImage
	case "mp4", "m4v", "mov", "3gp", "3gpp", "mkv", "webm", "avi":
		return kindVideo
	case "opus", "ogg", "oga", "mp3", "m4a", "aac", "amr", "wav", "flac":
		return kindAudio
	}
	return kindFile
}

// messageKind returns the message kind for an attachment. chat.Kind has no
// audio kind: WhatsApp records voice notes as Opus, so an Opus file or an
// omitted audio is a voice message and any other audio file a file.
func messageKind(a *chat.Attachment) chat.Kind {
	switch a.Kind {
	case kindImage:
		return chat.KindImage
	case kindVideo:
		return chat.KindVideo
	case kindVoice:
		return chat.KindVoice
	case kindAudio:
		if a.Name == "" || a.Ext == "opus" {
			return chat.KindVoice
		}
	case kindSticker:
		return chat.KindSticker
	}
	return chat.KindFile
}

// hasIOSSequence reports whether name starts with the eight-digit sequence
// number and hyphen that iOS gives exported media files.
func hasIOSSequence(name string) bool {
	if len(name) < 10 || name[8] != '-' {
		return false
	}
	for i := 0; i < 8; i++ {
		if !isDigit(name[i]) {
			return false
		}
	}
	return true
}

// isLabelWord reports whether s is one to three words of letters, as the
// label of an iOS attachment tag is.
func isLabelWord(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 24 || strings.Count(s, " ") > 2 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' {
			return false
		}
	}
	return true
}

func isDeletedPhrase(s string) bool {
	return containsFold(deletedPhrases, strings.TrimSuffix(s, "."))
}

func hasSenderPrefix(s string) bool {
	for _, p := range senderPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if len(x) == len(s) && strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func endsWithMark(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isMark(r)
}

func endsWithSpaceOrMark(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isSpace(r) || isMark(r)
}

func isSpaceOrMark(r rune) bool { return isSpace(r) || isMark(r) }

// trimSpaceMarks removes spaces and invisible marks from both ends of s.
func trimSpaceMarks(s string) string { return strings.TrimFunc(s, isSpaceOrMark) }

// trimLeadingMarks removes invisible marks from the start of s.
func trimLeadingMarks(s string) string { return strings.TrimLeftFunc(s, isMark) }

// removeMarks returns s without any invisible mark. It is applied to system
// text only, which WhatsApp writes itself.
func removeMarks(s string) string {
	if strings.IndexFunc(s, isMark) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}
