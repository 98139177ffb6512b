package whatsapp

// The localised phrases WhatsApp writes into an export. They are data, not
// code: a phrase of another language is one more entry here.
//
// Sources: the English, Spanish, German, French and Portuguese strings were
// found in several independent public parsers and test fixtures of real
// exports. NOTE: the Vietnamese, Italian, Dutch and Indonesian entries are
// unverified guesses (no public export in those languages was found). A
// phrase missing from these lists is never lost: the body stays the
// message's text, and Raw keeps the line.

// omittedPhrase is a body that stands for media left out of an export made
// without media.
type omittedPhrase struct {
	text string
	kind string // attachment kind, "unknown" when the phrase does not say
}

// omittedPhrases are compared with the whole first line of a body, ignoring
// case and WhatsApp's invisible marks. Android writes the bracketed forms and
// iOS the unbracketed ones.
var omittedPhrases = []omittedPhrase{
	{"<Media omitted>", kindUnknown},
	{"<Multimedia omitido>", kindUnknown},
	{"<Medien ausgeschlossen>", kindUnknown},
	{"<Médias omis>", kindUnknown},
	{"<Média omis>", kindUnknown},
	{"<Mídia oculta>", kindUnknown},
	{"<Multimédia omitido>", kindUnknown},
	{"<Media omessi>", kindUnknown},           // it, unverified
	{"<Media weggelaten>", kindUnknown},       // nl, unverified
	{"<Media tidak disertakan>", kindUnknown}, // id, unverified
	{"<Phương tiện bị bỏ qua>", kindUnknown},  // vi, unverified

	{"image omitted", kindImage},
	{"video omitted", kindVideo},
	{"audio omitted", kindAudio},
	{"sticker omitted", kindSticker},
	{"GIF omitted", kindVideo},
	{"document omitted", kindFile},
	{"Contact card omitted", kindFile},
	{"video note omitted", kindVideo},

	{"imagen omitida", kindImage},
	{"video omitido", kindVideo},
	{"audio omitido", kindAudio},
	{"sticker omitido", kindSticker},
	{"GIF omitido", kindVideo},
	{"documento omitido", kindFile},
	{"tarjeta de contacto omitida", kindFile},

	{"Bild weggelassen", kindImage},
	{"Video weggelassen", kindVideo},
	{"Audio weggelassen", kindAudio},
	{"Sticker weggelassen", kindSticker},
	{"GIF weggelassen", kindVideo},
	{"Dokument weggelassen", kindFile},
	{"Kontaktkarte weggelassen", kindFile},

	{"imagem ocultada", kindImage},
	{"vídeo ocultado", kindVideo},
	{"vídeo omitido", kindVideo},
	{"áudio ocultado", kindAudio},
	{"figurinha omitida", kindSticker},
	{"Cartão do contato omitido", kindFile},

	{"image absente", kindImage},  // fr, unverified
	{"vidéo absente", kindVideo},  // fr, unverified
	{"audio omis", kindAudio},     // fr, unverified
	{"sticker omis", kindSticker}, // fr, unverified
	{"document omis", kindFile},   // fr, unverified
}

// attachedPhrases follow the file name on the first line of an Android
// message exported with media: "IMG-20240401-WA0003.jpg (file attached)".
var attachedPhrases = []string{
	"(file attached)",
	"(Datei angehängt)",
	"(archivo adjunto)",
	"(fichier joint)",
	"(arquivo anexado)",
	"<angehängt>",          // de, older iOS exports
	"(file allegato)",      // it, unverified
	"(bestand bijgevoegd)", // nl, unverified
	"(file terlampir)",     // id, unverified
	"(tệp đính kèm)",       // vi, unverified
}

// attachedLabels name the file in the tag iOS writes for media exported with
// it: "<attached: 00000012-PHOTO-2024-04-01-10-00-05.jpg>". A tag with
// another label is still read when the file name has iOS's eight-digit
// sequence prefix.
var attachedLabels = []string{
	"attached",
	"adjunto",
	"Anhang",
	"anexado",
	"pièce jointe",
	"allegato",     // it, unverified
	"bijlage",      // nl, unverified
	"lampiran",     // id, unverified
	"đính kèm",     // vi, unverified
	"tệp đính kèm", // vi, unverified
}

// editedMarkers are appended to the body of an edited message, after one
// space and inside angle brackets: "Giá 150k nhé <This message was edited>".
// A trailing full stop inside the brackets is optional.
var editedMarkers = []string{
	"This message was edited",
	"Se editó este mensaje",
	"Diese Nachricht wurde bearbeitet",
	"Ce message a été modifié",
	"Mensagem editada",
	"Questo messaggio è stato modificato", // it, unverified
	"Dit bericht is bewerkt",              // nl, unverified
	"Pesan ini telah diedit",              // id, unverified
	"Tin nhắn này đã được chỉnh sửa",      // vi, unverified
}

// deletedPhrases replace the body of a message its sender deleted for
// everyone. A trailing full stop is optional.
var deletedPhrases = []string{
	"This message was deleted",
	"You deleted this message",
	"Se eliminó este mensaje",
	"Eliminaste este mensaje",
	"Diese Nachricht wurde gelöscht",
	"Du hast diese Nachricht gelöscht",
	"Ce message a été supprimé",
	"Vous avez supprimé ce message",
	"Mensagem apagada",
	"Esta mensagem foi apagada",
	"Você apagou esta mensagem",
	"Questo messaggio è stato eliminato", // it, unverified
	"Tin nhắn này đã bị xóa",             // vi, unverified
	"Bạn đã xóa tin nhắn này",            // vi, unverified
}

// senderPrefixes start iOS bodies that carry the invisible U+200E mark like
// a system line does, but belong to the author: calls and shared places.
var senderPrefixes = []string{
	"Missed voice call",
	"Missed video call",
	"Voice call",
	"Video call",
	"Location: ",
	"Live location shared",
	"POLL:",
	"Llamada perdida",
	"Verpasster Sprachanruf",
	"Verpasster Videoanruf",
	"Standort: ",
	"Ubicación: ",
	"Localização: ",
	"Position : ",
}

// groupPhrases occur in system lines of group chats only. The importer reads
// the conversation as a group when one of them appears near the start of the
// export, compared without regard to case.
var groupPhrases = []string{
	"created group",
	"created this group",
	" added ",
	"joined using this group",
	"changed the group",
	"changed the subject",
	"changed this group",
	"creó el grupo",
	"añadió a",
	"se unió",
	"hat die Gruppe",
	"hinzugefügt",
	"a créé le groupe",
	"a ajouté",
	"criou o grupo",
	"adicionou",
	"đã tạo nhóm",
	"đã thêm",
}

// meridiemWords are the 12-hour clock markers written as one word, before
// or after the time, beside the Latin a.m./p.m. forms that parseMeridiem
// reads itself. Vietnamese phones write SA (sáng) and CH (chiều), as CLDR
// gives them; NOTE: no Vietnamese 12-hour export was found to confirm it.
var meridiemWords = []struct {
	word string
	pm   bool
}{
	{"SA", false},
	{"CH", true},
	{"上午", false},
	{"下午", true},
	{"午前", false},
	{"午後", true},
	{"오전", false},
	{"오후", true},
}
