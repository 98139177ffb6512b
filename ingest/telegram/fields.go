package telegram

import "slices"

// fields holds the raw values of the members of one message object that
// the importer reads. A member that is absent is nil. When a name occurs
// twice the last value wins, as with json.Unmarshal; Telegram Desktop does
// write "text" twice in a send_webview_data service message.
type fields struct {
	id, typ                              []byte
	date, dateUnix, edited, editedUnix   []byte
	from, fromID, actor, actorID, author []byte
	action, title, newTitle, members     []byte
	messageID, duration, callDuration    []byte
	informationText                      []byte
	forwardedFrom, replyTo, replyToPeer  []byte
	text, textEntities                   []byte
	photo, photoSize, file, fileName     []byte
	fileSize, mediaType, mime            []byte
	width, height, stickerEmoji          []byte
	performer                            []byte
	contact, contactVcard, contactVSize  []byte
	location, placeName, address         []byte
	poll, gameTitle, gameDescription     []byte
	invoice, reactions                   []byte

	// unknown lists the names of members the importer does not know, in
	// input order.
	unknown []string
}

// set stores value under name and reports whether name is a member the
// importer reads.
func (f *fields) set(name, value []byte) bool {
	switch string(name) {
	case "id":
		f.id = value
	case "type":
		f.typ = value
	case "date":
		f.date = value
	case "date_unixtime":
		f.dateUnix = value
	case "edited":
		f.edited = value
	case "edited_unixtime":
		f.editedUnix = value
	case "from":
		f.from = value
	case "from_id":
		f.fromID = value
	case "actor":
		f.actor = value
	case "actor_id":
		f.actorID = value
	case "author":
		f.author = value
	case "action":
		f.action = value
	case "title":
		f.title = value
	case "new_title":
		f.newTitle = value
	case "members":
		f.members = value
	case "message_id":
		f.messageID = value
	case "duration_seconds":
		f.duration = value
	case "duration":
		f.callDuration = value
	case "information_text":
		f.informationText = value
	case "forwarded_from":
		f.forwardedFrom = value
	case "reply_to_message_id":
		f.replyTo = value
	case "reply_to_peer_id":
		f.replyToPeer = value
	case "text":
		f.text = value
	case "text_entities":
		f.textEntities = value
	case "photo":
		f.photo = value
	case "photo_file_size":
		f.photoSize = value
	case "file":
		f.file = value
	case "file_name":
		f.fileName = value
	case "file_size":
		f.fileSize = value
	case "media_type":
		f.mediaType = value
	case "mime_type":
		f.mime = value
	case "width":
		f.width = value
	case "height":
		f.height = value
	case "sticker_emoji":
		f.stickerEmoji = value
	case "performer":
		f.performer = value
	case "contact_information":
		f.contact = value
	case "contact_vcard":
		f.contactVcard = value
	case "contact_vcard_file_size":
		f.contactVSize = value
	case "location_information":
		f.location = value
	case "place_name":
		f.placeName = value
	case "address":
		f.address = value
	case "poll":
		f.poll = value
	case "game_title":
		f.gameTitle = value
	case "game_description":
		f.gameDescription = value
	case "invoice_information":
		f.invoice = value
	case "reactions":
		f.reactions = value
	default:
		return keptInRaw[string(name)]
	}
	return true
}

// note stores value under name, and records name as unknown when set does
// not read it.
func (f *fields) note(name, value []byte) {
	if !f.set(name, value) && !slices.Contains(f.unknown, string(name)) {
		f.unknown = append(f.unknown, string(name))
	}
}

// keptInRaw lists the message members that Telegram Desktop writes and the
// importer leaves in Raw without reading: they carry nothing chat.Message
// has a place for. Together with the members read in fields.set, this is
// every member that SerializeMessage in Telegram Desktop's
// export/output/export_output_json.cpp writes, as of the 2024 version that
// exports star gifts. A member missing from both lists is reported as
// UNKNOWN_FIELD.
var keptInRaw = map[string]bool{
	// Service message details.
	"game_message_id": true, "score": true, "amount": true, "currency": true,
	"invoice_message_id": true, "recurring": true, "discard_reason": true,
	"reason_app_id": true, "reason_app_name": true, "reason_domain": true,
	"values": true, "to": true, "to_id": true, "distance": true,
	"period": true, "schedule_date": true, "emoticon": true, "cost": true,
	"months": true, "new_icon_emoji_id": true, "button_id": true,
	"peers": true, "peer_id": true, "gift_code": true, "boost_peer_id": true,
	"unclaimed": true, "via_giveaway": true, "winners": true, "stars": true,
	"boosts": true, "peer_name": true, "charge_id": true,
	"boost_peer_name": true, "is_unclaimed": true, "giveaway_msg_id": true,
	"transaction_id": true, "gift_id": true, "is_limited": true,
	"is_anonymous": true, "gift_text": true, "inviter": true,

	// Message details.
	"saved_from": true, "via_bot": true, "media_spoiler": true,
	"self_destruct_period_seconds": true, "thumbnail": true,
	"thumbnail_file_size": true, "live_location_period_seconds": true,
	"game_link": true, "giveaway_information": true,
	"giveaway_results": true, "paid_stars_amount": true,
	"inline_bot_buttons": true,
}

// knownActions lists the service actions Telegram Desktop writes, from the
// same source as keptInRaw. Another action is kept as a system message with
// warning UNKNOWN_MSGTYPE.
var knownActions = map[string]bool{
	"create_group": true, "edit_group_title": true, "edit_group_photo": true,
	"delete_group_photo": true, "invite_members": true,
	"remove_members": true, "join_group_by_link": true,
	"create_channel": true, "migrate_to_supergroup": true,
	"migrate_from_group": true, "pin_message": true, "clear_history": true,
	"score_in_game": true, "send_payment": true, "phone_call": true,
	"take_screenshot": true, "attach_menu_bot_allowed": true,
	"web_app_bot_allowed": true, "allow_sending_messages": true,
	"send_passport_values": true, "joined_telegram": true,
	"proximity_reached": true, "requested_phone_number": true,
	"group_call": true, "invite_to_group_call": true,
	"set_messages_ttl": true, "group_call_scheduled": true,
	"edit_chat_theme": true, "join_group_by_request": true,
	"send_webview_data": true, "send_premium_gift": true,
	"topic_created": true, "topic_edit": true,
	"suggest_profile_photo": true, "requested_peer": true,
	"gift_code_prize": true, "giveaway_launch": true,
	"giveaway_results": true, "set_chat_wallpaper": true,
	"set_same_chat_wallpaper": true, "boost_apply": true,
	"refunded_payment": true, "send_stars_gift": true, "stars_prize": true,
	"send_star_gift": true,
}
