// Package chat holds the domain types that every chatseal package shares:
// the archived Message and its parts. It has no behaviour beyond encoding a
// message as the one-line JSON record stored in archive segments.
//
// Vocabulary follows the chatseal design: a tenant is one organisation, a
// source is a chat platform, an account is one messaging account the tenant
// archives, and a conversation is one thread seen from one account.
package chat

import (
	"encoding/json"
	"time"
)

// DefaultTenant is the tenant of a single-company install.
const DefaultTenant = "default"

// Kind is what a message is. An edit, a recall or a reaction is a message of
// its own that points at the original through Target; the original is never
// changed.
type Kind string

// Message kinds. Image, File, Voice and Video carry their content as
// attachments. Call, Task and Unknown extend the design's list: Zalo writes
// call bubbles and to-do items into chats, and an unknown source type is
// stored as Unknown with its raw payload rather than dropped.
const (
	KindText     Kind = "text"
	KindImage    Kind = "image"
	KindFile     Kind = "file"
	KindVoice    Kind = "voice"
	KindVideo    Kind = "video"
	KindSticker  Kind = "sticker"
	KindLink     Kind = "link"
	KindLocation Kind = "location"
	KindContact  Kind = "contact"
	KindReaction Kind = "reaction"
	KindEdit     Kind = "edit"
	KindRecall   Kind = "recall"
	KindSystem   Kind = "system"
	KindCall     Kind = "call"
	KindTask     Kind = "task"
	KindUnknown  Kind = "unknown"
)

// Kinds lists every Kind, in the order above.
var Kinds = []Kind{
	KindText, KindImage, KindFile, KindVoice, KindVideo, KindSticker, KindLink,
	KindLocation, KindContact, KindReaction, KindEdit, KindRecall, KindSystem,
	KindCall, KindTask, KindUnknown,
}

// IsMedia reports whether k is one of the kinds whose content is an
// attachment: image, file, voice or video.
func (k Kind) IsMedia() bool {
	switch k {
	case KindImage, KindFile, KindVoice, KindVideo:
		return true
	}
	return false
}

// Direction records whether a message came from outside the organisation
// (inbound, from a customer) or from the archived account (outbound, staff).
type Direction string

const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// ConversationKind is the shape of a thread.
type ConversationKind string

const (
	Direct  ConversationKind = "direct"
	Group   ConversationKind = "group"
	Channel ConversationKind = "channel"
)

// Participant is a sender or member of a conversation.
type Participant struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Attachment is a file, picture, sticker or link carried by a message.
//
// Present is true when the bytes are stored in the archive (Object names
// them), false when they are known to be missing (AbsentReason gives the cause), and
// nil when the input alone cannot tell.
type Attachment struct {
	Kind        string `json:"kind"`
	Name        string `json:"name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	MIME        string `json:"mime,omitempty"`
	Size        *int64 `json:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Object      string `json:"object,omitempty"`
	// Path is the location of the bytes inside the export (a file in a zip or
	// folder), relative to the export's root, with forward slashes.
	Path         string   `json:"path,omitempty"`
	URI          string   `json:"uri,omitempty"`
	AltURIs      []string `json:"alt_uris,omitempty"`
	Present      *bool    `json:"present,omitempty"`
	AbsentReason string   `json:"absent_reason,omitempty"`
	Width        int      `json:"width,omitempty"`
	Height       int      `json:"height,omitempty"`
	DurationMS   int64    `json:"duration_ms,omitempty"`
	ChecksumMD5  string   `json:"checksum_md5,omitempty"`
	Ext          string   `json:"ext,omitempty"`
	Title        string   `json:"title,omitempty"`
	Description  string   `json:"description,omitempty"`
	StickerID    string   `json:"sticker_id,omitempty"`
	CategoryID   string   `json:"category_id,omitempty"`
}

// Absent reasons for attachments whose bytes the archive does not hold.
const (
	AbsentRemoteURLOnly = "remote_url_only"
	AbsentMediaOmitted  = "media_omitted"
	AbsentUnavailable   = "unavailable"
	// AbsentNotInExport marks media the export names but does not hold.
	AbsentNotInExport = "not_in_export"
)

// Mention marks a span of Text that names a participant. Offset and Length
// count Unicode code points of Text, whatever unit the source used.
type Mention struct {
	UserID     string `json:"user_id,omitempty"`
	AllMembers bool   `json:"all_members,omitempty"`
	Offset     int    `json:"offset"`
	Length     int    `json:"length"`
}

// Entity is a formatting or link run of Text (Telegram). Offset and Length
// count code points.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	Href   string `json:"href,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// Reaction is one reaction an export lists on a message.
type Reaction struct {
	ActorID  string `json:"actor_id,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Reaction string `json:"reaction"`
}

// Quote is the copy of a replied-to message that some sources embed in the
// reply itself.
type Quote struct {
	OwnerID  string `json:"owner_id,omitempty"`
	Text     string `json:"text,omitempty"`
	FromName string `json:"from_name,omitempty"`
	Attach   string `json:"attach,omitempty"`
}

// Contact is a shared contact card.
type Contact struct {
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	UserID    string `json:"user_id,omitempty"`
	RawParams string `json:"raw_params,omitempty"`
}

// Call is a call bubble written into the chat.
type Call struct {
	DurationSeconds int64 `json:"duration_seconds"`
	RawCallType     int64 `json:"raw_calltype,omitempty"`
}

// Location is a shared map position.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Title     string  `json:"title,omitempty"`
}

// Message is one archived event in a conversation, as stored in a segment.
//
// SourceID is the platform's own message id, always a string. ID is a ULID
// assigned when the message is first accepted; Seq is its leaf index in the
// tenant's log and is assigned when the message is written to a segment.
// Raw holds the source's original payload; see EncodeRecord for how it is
// kept byte for byte.
type Message struct {
	ID               string           `json:"id"`
	Seq              uint64           `json:"seq"`
	Tenant           string           `json:"tenant"`
	Source           string           `json:"source"`
	SourceID         string           `json:"source_id"`
	ClientID         string           `json:"client_id,omitempty"`
	Account          string           `json:"account"`
	Conversation     string           `json:"conversation"`
	ConversationKind ConversationKind `json:"conversation_kind"`
	// ConversationTitle is the conversation's name as the export gives it,
	// when it gives one.
	ConversationTitle string      `json:"conversation_title,omitempty"`
	SentAt            time.Time   `json:"sent_at"`
	IngestedAt        time.Time   `json:"ingested_at"`
	Sender            Participant `json:"sender"`
	Direction         Direction   `json:"direction"`
	Kind              Kind        `json:"kind"`
	RawType           string      `json:"raw_type,omitempty"`
	Text              string      `json:"text"`
	IndexText         string      `json:"index_text,omitempty"`
	ReplyTo           string      `json:"reply_to,omitempty"`
	Target            string      `json:"target,omitempty"`
	Reaction          string      `json:"reaction,omitempty"`
	ReactionRemoved   bool        `json:"reaction_removed,omitempty"`
	// ThreadRoot is the source id of the first message of the reply
	// thread this message belongs to (Slack threads).
	ThreadRoot string `json:"thread_root,omitempty"`
	// ForwardedFrom names the original author of a forwarded message.
	ForwardedFrom string `json:"forwarded_from,omitempty"`
	// AuthorSignature is the signature a channel post carries.
	AuthorSignature string `json:"author_signature,omitempty"`
	// Edited is set when the source marks the message as edited. Exports
	// hold only the final text; EditedAt is the edit time when known.
	Edited   bool       `json:"edited,omitempty"`
	EditedAt *time.Time `json:"edited_at,omitempty"`
	// Flags are facts the source states about the message, such as
	// "unsent" or "sender_deleted".
	Flags []string `json:"flags,omitempty"`
	// AliasIDs are other native ids of the same message.
	AliasIDs []string  `json:"alias_ids,omitempty"`
	Quote    *Quote    `json:"quote,omitempty"`
	Mentions []Mention `json:"mentions,omitempty"`
	Entities []Entity  `json:"entities,omitempty"`
	Contact  *Contact  `json:"contact,omitempty"`
	Call     *Call     `json:"call,omitempty"`
	Location *Location `json:"location,omitempty"`
	// Members are the people a system message is about, such as those
	// added to a group.
	Members []Participant `json:"members,omitempty"`
	// Reactions are the reactions the export lists on this message. A
	// source that reports reactions as events stores them as KindReaction
	// messages instead.
	Reactions   []Reaction      `json:"reactions,omitempty"`
	Attachments []Attachment    `json:"attachments,omitempty"`
	Warnings    []string        `json:"warnings,omitempty"`
	RawFormat   RawFormat       `json:"raw_format,omitempty"`
	Raw         json.RawMessage `json:"raw,omitempty"`
}

// IsSelf reports whether the archived account sent m.
func (m *Message) IsSelf() bool { return m.Direction == Outbound }
