package whatsapp

import (
	"strings"
	"testing"

	"chatseal/chat"
)

func TestParseBody(t *testing.T) {
	type want struct {
		kind    chat.Kind
		text    string
		edited  bool
		unsent  bool
		attach  bool
		akind   string
		name    string
		display string
		path    string
		omitted bool
	}
	tests := []struct {
		name     string
		body     string
		mediaDir string
		want     want
	}{
		{"plain text", "Chào anh", "", want{kind: chat.KindText, text: "Chào anh"}},
		{"multi-line text", "Dạ\nĐịa chỉ: 12 Nguyễn Hữu Thọ\n", "", want{kind: chat.KindText, text: "Dạ\nĐịa chỉ: 12 Nguyễn Hữu Thọ\n"}},
		{"leading mark removed", "\u200eXin chào", "", want{kind: chat.KindText, text: "Xin chào"}},
		{"mark inside kept", "a\u200eb", "", want{kind: chat.KindText, text: "a\u200eb"}},
		{"empty", "", "", want{kind: chat.KindText}},

		{"edited", "Giá 150k nhé <This message was edited>", "", want{kind: chat.KindText, text: "Giá 150k nhé", edited: true}},
		{"edited with mark", "Giá 150k \u200e<This message was edited>", "", want{kind: chat.KindText, text: "Giá 150k", edited: true}},
		{"edited german with full stop", "Hallo <Diese Nachricht wurde bearbeitet.>", "", want{kind: chat.KindText, text: "Hallo", edited: true}},
		{"edited spanish", "Yo curso ahora <Se editó este mensaje.>", "", want{kind: chat.KindText, text: "Yo curso ahora", edited: true}},
		{"edited french", "À demain <Ce message a été modifié>", "", want{kind: chat.KindText, text: "À demain", edited: true}},
		{"edited portuguese", "Oi <Mensagem editada>", "", want{kind: chat.KindText, text: "Oi", edited: true}},
		{"edited multi-line", "a\nb <This message was edited>", "", want{kind: chat.KindText, text: "a\nb", edited: true}},
		{"marker in the middle is text", "Ghi chú: <This message was edited> là chữ", "", want{kind: chat.KindText, text: "Ghi chú: <This message was edited> là chữ"}},
		{"marker without space is text", "x<This message was edited>", "", want{kind: chat.KindText, text: "x<This message was edited>"}},

		{"media omitted", "<Media omitted>", "", want{kind: chat.KindFile, attach: true, akind: kindUnknown, omitted: true}},
		{"media omitted german", "<Medien ausgeschlossen>", "", want{kind: chat.KindFile, attach: true, akind: kindUnknown, omitted: true}},
		{"media omitted spanish", "<Multimedia omitido>", "", want{kind: chat.KindFile, attach: true, akind: kindUnknown, omitted: true}},
		{"media omitted french", "<Médias omis>", "", want{kind: chat.KindFile, attach: true, akind: kindUnknown, omitted: true}},
		{"media omitted portuguese", "<Mídia oculta>", "", want{kind: chat.KindFile, attach: true, akind: kindUnknown, omitted: true}},
		{"media omitted with caption", "<Medien ausgeschlossen>\n4Bit Adiere.mod", "", want{kind: chat.KindFile, text: "4Bit Adiere.mod", attach: true, akind: kindUnknown, omitted: true}},
		{"ios image omitted", "\u200eimage omitted", "", want{kind: chat.KindImage, attach: true, akind: kindImage, omitted: true}},
		{"ios audio omitted", "\u200eaudio omitted", "", want{kind: chat.KindVoice, attach: true, akind: kindAudio, omitted: true}},
		{"ios portuguese sticker omitted", "\u200efigurinha omitida", "", want{kind: chat.KindSticker, attach: true, akind: kindSticker, omitted: true}},
		{"ios document omitted with title", "Báo giá.pdf • \u200e3 pages \u200edocument omitted", "", want{kind: chat.KindFile, attach: true, akind: kindFile, display: "Báo giá.pdf", omitted: true}},
		{"omitted phrase after text is text", "report.pdf image omitted", "", want{kind: chat.KindText, text: "report.pdf image omitted"}},

		{"android image with caption", "IMG-20240401-WA0003.jpg (file attached)\nMẫu áo size M", "", want{kind: chat.KindImage, text: "Mẫu áo size M", attach: true, akind: kindImage, name: "IMG-20240401-WA0003.jpg", path: "IMG-20240401-WA0003.jpg"}},
		{"android document with spaces", "Báo giá Q2.pdf (file attached)", "", want{kind: chat.KindFile, attach: true, akind: kindFile, name: "Báo giá Q2.pdf", path: "Báo giá Q2.pdf"}},
		{"android voice note", "PTT-20240401-WA0007.opus (file attached)", "", want{kind: chat.KindVoice, attach: true, akind: kindVoice, name: "PTT-20240401-WA0007.opus", path: "PTT-20240401-WA0007.opus"}},
		{"android audio", "AUD-20240401-WA0001.mp3 (file attached)", "", want{kind: chat.KindFile, attach: true, akind: kindAudio, name: "AUD-20240401-WA0001.mp3", path: "AUD-20240401-WA0001.mp3"}},
		{"android sticker", "STK-20240401-WA0002.webp (file attached)", "", want{kind: chat.KindSticker, attach: true, akind: kindSticker, name: "STK-20240401-WA0002.webp", path: "STK-20240401-WA0002.webp"}},
		{"android video german", "VID-20210528-WA0002.mp4 (Datei angehängt)", "", want{kind: chat.KindVideo, attach: true, akind: kindVideo, name: "VID-20210528-WA0002.mp4", path: "VID-20210528-WA0002.mp4"}},
		{"android spanish", "IMG-20230620-WA0001.jpg (archivo adjunto)", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "IMG-20230620-WA0001.jpg", path: "IMG-20230620-WA0001.jpg"}},
		{"android portuguese", "IMG-20230620-WA0001.jpg (arquivo anexado)", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "IMG-20230620-WA0001.jpg", path: "IMG-20230620-WA0001.jpg"}},
		{"android french document with pages", "Rapport.pdf • \u200e3 pages \u200e(fichier joint)", "", want{kind: chat.KindFile, attach: true, akind: kindFile, name: "Rapport.pdf", path: "Rapport.pdf"}},
		{"android hash name", "7c1e0b9a2f4d4e8a9b3c5d6e7f801234.jpg (file attached)", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "7c1e0b9a2f4d4e8a9b3c5d6e7f801234.jpg", path: "7c1e0b9a2f4d4e8a9b3c5d6e7f801234.jpg"}},
		{"android in a zip folder", "IMG-20240401-WA0003.jpg (file attached)", "WhatsApp Chat - X", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "IMG-20240401-WA0003.jpg", path: "WhatsApp Chat - X/IMG-20240401-WA0003.jpg"}},
		{"phrase inside a sentence is text", "Ảnh đính kèm bên trên (file attached) là mẫu cũ", "", want{kind: chat.KindText, text: "Ảnh đính kèm bên trên (file attached) là mẫu cũ"}},
		{"phrase after words is text", "xem ảnh (file attached)", "", want{kind: chat.KindText, text: "xem ảnh (file attached)"}},
		{"name leaving the export has no path", "../../etc/x.jpg (file attached)", "", want{kind: chat.KindText, text: "../../etc/x.jpg (file attached)"}},

		{"ios photo", "\u200e<attached: 00000003-PHOTO-2024-04-01-10-00-05.jpg>", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "00000003-PHOTO-2024-04-01-10-00-05.jpg", path: "00000003-PHOTO-2024-04-01-10-00-05.jpg"}},
		{"ios document with pages", "Báo giá Q2.pdf • \u200e3 pages \u200e<attached: 00000004-Báo giá Q2.pdf>", "", want{kind: chat.KindFile, attach: true, akind: kindFile, name: "00000004-Báo giá Q2.pdf", display: "Báo giá Q2.pdf", path: "00000004-Báo giá Q2.pdf"}},
		{"ios audio", "\u200e<attached: 00000005-AUDIO-2024-04-01-10-02-00.opus>", "", want{kind: chat.KindVoice, attach: true, akind: kindAudio, name: "00000005-AUDIO-2024-04-01-10-02-00.opus", path: "00000005-AUDIO-2024-04-01-10-02-00.opus"}},
		{"ios sticker", "\u200e<attached: 00000007-STICKER-2024-04-01-10-02-00.webp>", "", want{kind: chat.KindSticker, attach: true, akind: kindSticker, name: "00000007-STICKER-2024-04-01-10-02-00.webp", path: "00000007-STICKER-2024-04-01-10-02-00.webp"}},
		{"ios spanish", "\u200e<adjunto: 00000012-PHOTO-2024-04-01-10-00-05.jpg>", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "00000012-PHOTO-2024-04-01-10-00-05.jpg", path: "00000012-PHOTO-2024-04-01-10-00-05.jpg"}},
		{"ios portuguese with caption", "\u200e<anexado: 00000012-PHOTO-2026-10-05-14-33-10.jpg>\nSegue", "", want{kind: chat.KindImage, text: "Segue", attach: true, akind: kindImage, name: "00000012-PHOTO-2026-10-05-14-33-10.jpg", path: "00000012-PHOTO-2026-10-05-14-33-10.jpg"}},
		{"ios french label with space before colon", "\u200e<pièce jointe\u202f: 00000012-PHOTO-2024-04-01-10-00-05.jpg>", "", want{kind: chat.KindImage, attach: true, akind: kindImage, name: "00000012-PHOTO-2024-04-01-10-00-05.jpg", path: "00000012-PHOTO-2024-04-01-10-00-05.jpg"}},
		{"ios unknown label with sequence", "\u200e<allegata: 00000012-VIDEO-2024-04-01-10-00-05.mp4>", "", want{kind: chat.KindVideo, attach: true, akind: kindVideo, name: "00000012-VIDEO-2024-04-01-10-00-05.mp4", path: "00000012-VIDEO-2024-04-01-10-00-05.mp4"}},
		{"unknown label without sequence is text", "<note: see this>", "", want{kind: chat.KindText, text: "<note: see this>"}},
		{"tag after words is text", "look here <attached: 00000003-PHOTO-2024-04-01-10-00-05.jpg>", "", want{kind: chat.KindText, text: "look here <attached: 00000003-PHOTO-2024-04-01-10-00-05.jpg>"}},

		{"deleted", "This message was deleted", "", want{kind: chat.KindText, unsent: true}},
		{"deleted ios", "\u200eYou deleted this message.", "", want{kind: chat.KindText, unsent: true}},
		{"deleted spanish", "Se eliminó este mensaje.", "", want{kind: chat.KindText, unsent: true}},
		{"deleted phrase with more lines is text", "This message was deleted\nreally", "", want{kind: chat.KindText, text: "This message was deleted\nreally"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBody(tt.body, tt.mediaDir)
			w := tt.want
			if got.kind != w.kind {
				t.Errorf("kind = %q, want %q", got.kind, w.kind)
			}
			if got.text != w.text {
				t.Errorf("text = %q, want %q", got.text, w.text)
			}
			if got.edited != w.edited {
				t.Errorf("edited = %v, want %v", got.edited, w.edited)
			}
			if got.unsent != w.unsent {
				t.Errorf("unsent = %v, want %v", got.unsent, w.unsent)
			}
			if (got.attach != nil) != w.attach {
				t.Fatalf("attachment = %+v, want one: %v", got.attach, w.attach)
			}
			if got.attach == nil {
				return
			}
			a := got.attach
			if a.Kind != w.akind {
				t.Errorf("attachment kind = %q, want %q", a.Kind, w.akind)
			}
			if a.Name != w.name {
				t.Errorf("attachment name = %q, want %q", a.Name, w.name)
			}
			if a.DisplayName != w.display {
				t.Errorf("attachment display name = %q, want %q", a.DisplayName, w.display)
			}
			if a.Path != w.path {
				t.Errorf("attachment path = %q, want %q", a.Path, w.path)
			}
			if w.omitted {
				if a.Present == nil || *a.Present || a.AbsentReason != chat.AbsentMediaOmitted {
					t.Errorf("present = %v, absent reason %q; want false and %q", a.Present, a.AbsentReason, chat.AbsentMediaOmitted)
				}
			} else if a.Present != nil || a.AbsentReason != "" {
				t.Errorf("present = %v, absent reason %q; want nil and none", a.Present, a.AbsentReason)
			}
		})
	}
}

func TestSplitAuthor(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		author    string
		body      string
		hasAuthor bool
	}{
		{"message", "Lê Thu Hà: Chào anh", "Lê Thu Hà", "Chào anh", true},
		{"colon in body", "Quốc Bảo: Ghi chú: x", "Quốc Bảo", "Ghi chú: x", true},
		{"empty body", "+84 90 123 4567: ", "+84 90 123 4567", "", true},
		{"trailing colon", "Lan:", "Lan", "", true},
		{"phone in embedding marks", "\u202a+84 90 123 4567\u202c: hi", "+84 90 123 4567", "hi", true},
		{"system", "Trần Văn Bình added Lê Thu Hà", "", "Trần Văn Bình added Lê Thu Hà", false},
		{"system with quoted colon", "A changed the subject to \"Giá: mới\"", "", "A changed the subject to \"Giá: mới\"", false},
		{"colon only on a later line", "A joined\nB: x", "", "A joined\nB: x", false},
		{"empty author", ": x", "", ": x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := tt.text
			for i := range first {
				if first[i] == '\n' {
					first = first[:i]
					break
				}
			}
			author, body, ok := splitAuthor(tt.text, first)
			if author != tt.author || body != tt.body || ok != tt.hasAuthor {
				t.Errorf("splitAuthor = %q, %q, %v; want %q, %q, %v", author, body, ok, tt.author, tt.body, tt.hasAuthor)
			}
		})
	}
}

func TestIsIOSSystem(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		author   string
		chatName string
		want     bool
	}{
		{"group created", "\u200eA created group “Q7”", "Q7", "", true},
		{"known chat name", "\u200eA added B", "Q7", "Q7", true},
		{"other author", "\u200eđã bỏ qua hình ảnh", "Lan", "Q7", false},
		{"attachment", "\u200e<attached: 00000003-PHOTO-2024-04-01-10-00-05.jpg>", "Q7", "Q7", false},
		{"omitted media", "\u200eimage omitted", "Lan", "", false},
		{"deleted", "\u200eThis message was deleted.", "Lan", "", false},
		{"missed call", "\u200eMissed voice call", "Lan", "", false},
		{"no mark", "A created group", "Q7", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isIOSSystem(tt.body, tt.author, tt.chatName); got != tt.want {
				t.Errorf("isIOSSystem = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPhoneOf(t *testing.T) {
	for in, want := range map[string]string{
		"+84 90 123 4567":      "+84901234567",
		"+1 (555) 010-9999":    "+15550109999",
		"+84\u00a090 123":      "", // too short
		"+84\u00a090 123 4567": "+84901234567",
		"Lan":                  "",
		"84 90 123 4567":       "",
		"+84 90 abc 4567":      "",
	} {
		if got := phoneOf(in); got != want {
			t.Errorf("phoneOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTitleFromFileName(t *testing.T) {
	for in, want := range map[string]string{
		"WhatsApp Chat with Chị Tuyết.txt":                   "Chị Tuyết",
		"WhatsApp Chat with Chị Tuyết (1).txt":               "Chị Tuyết",
		"WhatsApp Chat - Nhóm khách sỉ.zip":                  "Nhóm khách sỉ",
		"/tmp/x/WhatsApp Chat - Nhóm khách sỉ":               "Nhóm khách sỉ",
		"Chat de WhatsApp con Hoàng Yến.txt":                 "Hoàng Yến",
		"WhatsApp-Chat mit Quang Vinh.txt":                   "Quang Vinh",
		"WhatsApp Chat with Chi\u0323 Tuye\u0302\u0301t.txt": "Chị Tuyết", // NFD file name
		"WhatsApp Chat with Room (2a).txt":                   "Room (2a)",
		"_chat.txt":                                          "",
		"chat-tuyet-export-1.txt":                            "",
	} {
		if got := titleFromFileName(in); got != want {
			t.Errorf("titleFromFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocumentTitle(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Báo giá.pdf", "Báo giá.pdf", true},
		{"Báo giá.pdf • \u200e3 pages", "Báo giá.pdf", true},
		{"Angebot.pdf • 1 Seite", "Angebot.pdf", true},
		{"a•b.pdf", "a•b.pdf", true},
		{"a•b.pdf • 2 pages", "a•b.pdf", true},
		{"xem ảnh", "", false},
		{"• 3 pages", "", false},
		{"report.pdf • three pages", "", false},
	}
	for _, tt := range tests {
		got, ok := documentTitle(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("documentTitle(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReader_ChatNameWithColon(t *testing.T) {
	input := "[15/03/2024, 08:59:40] Shop: Q7: \u200eA created group “Shop: Q7”\n" +
		"[15/03/2024, 09:00:00] Lan: note: \u200ex\n" +
		"[15/03/2024, 09:01:00] Shop: Q7: \u200eA added B\n"
	msgs, _ := readAll(t, strings.NewReader(input), "_chat.txt", testOptions)
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	for _, i := range []int{0, 2} {
		if m := msgs[i]; m.Kind != chat.KindSystem || m.ConversationTitle != "Shop: Q7" || m.Sender.Name != "" {
			t.Errorf("message %d: kind %q, title %q, sender %q; want a system line of chat %q", i+1, m.Kind, m.ConversationTitle, m.Sender.Name, "Shop: Q7")
		}
	}
	if m := msgs[1]; m.Kind != chat.KindText || m.Sender.Name != "Lan" || m.Text != "note: \u200ex" {
		t.Errorf("message 2: kind %q, sender %q, text %q; want Lan's text", m.Kind, m.Sender.Name, m.Text)
	}
}
