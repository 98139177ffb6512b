package chatcase

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"chatseal/chat"
)

// checkMessage compares every key of the expected message want with got.
func checkMessage(t *testing.T, got chat.ThreadView, want Object, cfg Config) {
	t.Helper()
	for _, key := range SortedKeys(want) {
		raw := want[key]
		if cfg.unchecked("message", key) {
			continue
		}
		if checkMessageKey(t, key, raw, got) {
			continue
		}
		if cfg.Message != nil && cfg.Message(t, key, raw, got) {
			continue
		}
		t.Errorf("expected key %q has no check", key)
	}
}

// checkMessageKey checks one key that the common checker covers, and
// returns false for any other key.
func checkMessageKey(t *testing.T, key string, raw json.RawMessage, got chat.ThreadView) bool {
	t.Helper()
	switch key {
	case "seq":
		// Checked by position.
	case "kind":
		var kind string
		Decode(t, key, raw, &kind)
		if kind == "media" {
			if !got.Kind.IsMedia() {
				t.Errorf("kind = %q, want a media kind (image, file, voice or video)", got.Kind)
			}
		} else if string(got.Kind) != kind {
			t.Errorf("kind = %q, want %q", got.Kind, kind)
		}
	case "sent_at", "sent_at_utc":
		checkInstant(t, key, &got.SentAt, raw)
	case "recalled_at":
		checkInstant(t, key, got.RecalledAt, raw)
	case "edited_at":
		checkInstant(t, key, got.EditedAt, raw)
	case "sender_name":
		CheckString(t, key, got.Sender.Name, raw)
	case "sender_id":
		CheckString(t, key, got.Sender.ID, raw)
	case "source_id":
		CheckString(t, key, got.SourceID, raw)
	case "client_id":
		CheckString(t, key, got.ClientID, raw)
	case "text":
		CheckString(t, key, got.Text, raw)
	case "raw_type":
		CheckString(t, key, got.RawType, raw)
	case "index_text":
		CheckString(t, key, got.IndexText, raw)
	case "direction":
		CheckString(t, key, string(got.Direction), raw)
	case "reply_to_source_id":
		CheckString(t, key, got.ReplyTo, raw)
	case "thread_root_source_id":
		CheckString(t, key, got.ThreadRoot, raw)
	case "target_source_id":
		CheckString(t, key, got.Target, raw)
	case "reaction":
		CheckString(t, key, got.Reaction, raw)
	case "forwarded_from":
		CheckString(t, key, got.ForwardedFrom, raw)
	case "author_signature":
		CheckString(t, key, got.AuthorSignature, raw)
	case "is_self":
		CheckBool(t, key, got.IsSelf(), raw)
	case "reaction_removed":
		CheckBool(t, key, got.ReactionRemoved, raw)
	case "edited":
		CheckBool(t, key, got.Edited || got.EditedAt != nil, raw)
	case "flags", "alias_source_ids":
		list := got.Flags
		if key == "alias_source_ids" {
			list = got.AliasIDs
		}
		var want []string
		if !IsNull(raw) {
			Decode(t, key, raw, &want)
		}
		if !slices.Equal(list, want) && !(len(list) == 0 && len(want) == 0) {
			t.Errorf("%s = %q, want %q", key, list, want)
		}
	case "warnings":
		var codes []string
		Decode(t, key, raw, &codes)
		gotCodes := slices.Sorted(slices.Values(got.Warnings))
		slices.Sort(codes)
		if !slices.Equal(gotCodes, codes) {
			t.Errorf("warnings = %q, want %q", gotCodes, codes)
		}
	case "attachments":
		checkAttachments(t, got.Attachments, raw)
	case "mentions":
		checkMentions(t, got.Text, got.Mentions, raw)
	case "entities":
		checkEntities(t, got.Text, got.Entities, raw)
	case "reactions":
		checkReactions(t, got.Reactions, raw)
	case "members":
		var want []*string
		Decode(t, key, raw, &want)
		if len(got.Members) != len(want) {
			t.Errorf("members = %+v, want %s", got.Members, raw)
			break
		}
		for i, w := range want {
			name := ""
			if w != nil {
				name = *w
			}
			if got.Members[i].Name != name {
				t.Errorf("members[%d].name = %q, want %q", i, got.Members[i].Name, name)
			}
		}
	case "contact":
		checkObject(t, key, got.Contact == nil, raw, map[string]func(string, json.RawMessage){
			"name":       func(f string, r json.RawMessage) { CheckString(t, f, got.Contact.Name, r) },
			"phone":      func(f string, r json.RawMessage) { CheckString(t, f, got.Contact.Phone, r) },
			"user_id":    func(f string, r json.RawMessage) { CheckString(t, f, got.Contact.UserID, r) },
			"raw_params": func(f string, r json.RawMessage) { CheckString(t, f, got.Contact.RawParams, r) },
		})
	case "call":
		checkObject(t, key, got.Call == nil, raw, map[string]func(string, json.RawMessage){
			"duration_seconds": func(f string, r json.RawMessage) { CheckInt(t, f, got.Call.DurationSeconds, r) },
			"raw_calltype":     func(f string, r json.RawMessage) { CheckInt(t, f, got.Call.RawCallType, r) },
		})
	case "quote":
		checkObject(t, key, got.Quote == nil, raw, map[string]func(string, json.RawMessage){
			"owner_id":  func(f string, r json.RawMessage) { CheckString(t, f, got.Quote.OwnerID, r) },
			"text":      func(f string, r json.RawMessage) { CheckString(t, f, got.Quote.Text, r) },
			"from_name": func(f string, r json.RawMessage) { CheckString(t, f, got.Quote.FromName, r) },
			"attach":    func(f string, r json.RawMessage) { CheckString(t, f, got.Quote.Attach, r) },
		})
	case "location":
		checkObject(t, key, got.Location == nil, raw, map[string]func(string, json.RawMessage){
			"latitude":  func(f string, r json.RawMessage) { checkFloat(t, f, got.Location.Latitude, r) },
			"longitude": func(f string, r json.RawMessage) { checkFloat(t, f, got.Location.Longitude, r) },
			"title":     func(f string, r json.RawMessage) { CheckString(t, f, got.Location.Title, r) },
		})
	default:
		return false
	}
	return true
}

// checkObject checks an expected object member by member, or null against
// isNil.
func checkObject(t *testing.T, field string, isNil bool, raw json.RawMessage, checks map[string]func(string, json.RawMessage)) {
	t.Helper()
	if IsNull(raw) {
		if !isNil {
			t.Errorf("%s is set, want null", field)
		}
		return
	}
	if isNil {
		t.Errorf("%s = nil, want %s", field, raw)
		return
	}
	var want Object
	Decode(t, field, raw, &want)
	for _, key := range SortedKeys(want) {
		check, ok := checks[key]
		if !ok {
			t.Errorf("expected key %s.%s has no check", field, key)
			continue
		}
		check(field+"."+key, want[key])
	}
}

func checkAttachments(t *testing.T, got []chat.Attachment, raw json.RawMessage) {
	t.Helper()
	var want []Object
	Decode(t, "attachments", raw, &want)
	if len(got) != len(want) {
		t.Errorf("got %d attachments %+v, want %d", len(got), got, len(want))
		return
	}
	for i, w := range want {
		a := got[i]
		for _, key := range SortedKeys(w) {
			field := fmt.Sprintf("attachments[%d].%s", i, key)
			raw := w[key]
			switch key {
			case "kind":
				CheckString(t, field, a.Kind, raw)
			case "name":
				CheckString(t, field, a.Name, raw)
			case "display_name":
				CheckString(t, field, a.DisplayName, raw)
			case "uri":
				CheckString(t, field, a.URI, raw)
			case "mime":
				CheckString(t, field, a.MIME, raw)
			case "absent_reason":
				CheckString(t, field, a.AbsentReason, raw)
			case "checksum_md5":
				CheckString(t, field, a.ChecksumMD5, raw)
			case "ext":
				CheckString(t, field, a.Ext, raw)
			case "title":
				CheckString(t, field, a.Title, raw)
			case "description":
				CheckString(t, field, a.Description, raw)
			case "sticker_id":
				CheckString(t, field, a.StickerID, raw)
			case "category_id":
				CheckString(t, field, a.CategoryID, raw)
			case "width":
				CheckInt(t, field, int64(a.Width), raw)
			case "height":
				CheckInt(t, field, int64(a.Height), raw)
			case "duration_seconds":
				CheckInt(t, field, a.DurationMS/1000, raw)
			case "size_bytes":
				checkOptionalInt(t, field, a.Size, raw)
			case "present":
				checkOptionalBool(t, field, a.Present, raw)
			case "alt_uris":
				var uris []string
				Decode(t, field, raw, &uris)
				if !slices.Equal(a.AltURIs, uris) {
					t.Errorf("%s = %q, want %q", field, a.AltURIs, uris)
				}
			case "emoji":
				// A Telegram sticker's emoji is its only title.
				CheckString(t, field, a.Title, raw)
			case "page_count":
				// chat.Attachment keeps no page count; the raw item
				// holds it.
			default:
				t.Errorf("expected key %s has no check", field)
			}
		}
	}
}

func checkMentions(t *testing.T, text string, got []chat.Mention, raw json.RawMessage) {
	t.Helper()
	var want []Object
	Decode(t, "mentions", raw, &want)
	if len(got) != len(want) {
		t.Errorf("got %d mentions %+v, want %d", len(got), got, len(want))
		return
	}
	for i, w := range want {
		m := got[i]
		for _, key := range SortedKeys(w) {
			field := fmt.Sprintf("mentions[%d].%s", i, key)
			raw := w[key]
			switch key {
			case "user_id":
				CheckString(t, field, m.UserID, raw)
			case "all_members":
				CheckBool(t, field, m.AllMembers, raw)
			case "offset_cp":
				CheckInt(t, field, int64(m.Offset), raw)
			case "length_cp":
				CheckInt(t, field, int64(m.Length), raw)
			case "mention_text", "username":
				if key == "username" {
					// The mention's span is checked through mention_text.
					continue
				}
				checkSpan(t, field, text, m.Offset, m.Length, raw)
			default:
				t.Errorf("expected key %s has no check", field)
			}
		}
	}
}

func checkEntities(t *testing.T, text string, got []chat.Entity, raw json.RawMessage) {
	t.Helper()
	var want []Object
	Decode(t, "entities", raw, &want)
	if len(got) != len(want) {
		t.Errorf("got %d entities %+v, want %d", len(got), got, len(want))
		return
	}
	for i, w := range want {
		e := got[i]
		for _, key := range SortedKeys(w) {
			field := fmt.Sprintf("entities[%d].%s", i, key)
			raw := w[key]
			switch key {
			case "type":
				CheckString(t, field, e.Type, raw)
			case "offset_cp":
				CheckInt(t, field, int64(e.Offset), raw)
			case "length_cp":
				CheckInt(t, field, int64(e.Length), raw)
			case "href":
				CheckString(t, field, e.Href, raw)
			case "user_id":
				CheckString(t, field, e.UserID, raw)
			case "text":
				checkSpan(t, field, text, e.Offset, e.Length, raw)
			default:
				t.Errorf("expected key %s has no check", field)
			}
		}
	}
}

func checkReactions(t *testing.T, got map[string]string, raw json.RawMessage) {
	t.Helper()
	var want []Object
	Decode(t, "reactions", raw, &want)
	if len(got) != len(want) {
		t.Errorf("reactions = %v, want %s", got, raw)
		return
	}
	for i, w := range want {
		actor := jsonString(w["actor_id"])
		if actor == "" {
			actor = jsonString(w["actor"])
		}
		reaction, ok := got[actor]
		if !ok {
			t.Errorf("reactions[%d]: no reaction by %q in %v", i, actor, got)
			continue
		}
		if !StringEqual(reaction, w["reaction"]) {
			t.Errorf("reactions[%d]: %q reacted %q, want %s", i, actor, reaction, w["reaction"])
		}
	}
}

func checkSpan(t *testing.T, field, text string, offset, length int, raw json.RawMessage) {
	t.Helper()
	runes := []rune(text)
	if offset < 0 || length < 0 || offset+length > len(runes) {
		t.Errorf("%s: span [%d, %d) is outside the text of %d code points", field, offset, offset+length, len(runes))
		return
	}
	if span := string(runes[offset : offset+length]); !StringEqual(span, raw) {
		t.Errorf("%s: text[%d:%d] = %q, want %s", field, offset, offset+length, span, raw)
	}
}

// CheckString fails t unless got equals the JSON string raw (null: "").
func CheckString(t *testing.T, field, got string, raw json.RawMessage) {
	t.Helper()
	if !StringEqual(got, raw) {
		t.Errorf("%s = %q, want %s", field, got, raw)
	}
}

// CheckBool fails t unless got equals the JSON boolean raw (null: false).
func CheckBool(t *testing.T, field string, got bool, raw json.RawMessage) {
	t.Helper()
	var want bool
	if !IsNull(raw) {
		Decode(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

// CheckInt fails t unless got equals the JSON integer raw (null: 0).
func CheckInt(t *testing.T, field string, got int64, raw json.RawMessage) {
	t.Helper()
	var want int64
	if !IsNull(raw) {
		Decode(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %d, want %d", field, got, want)
	}
}

// checkFloat accepts the expected number as a JSON number or string.
func checkFloat(t *testing.T, field string, got float64, raw json.RawMessage) {
	t.Helper()
	var want float64
	var s string
	if json.Unmarshal(raw, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("expected %s %q: %v", field, s, err)
		}
		want = f
	} else {
		Decode(t, field, raw, &want)
	}
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func checkOptionalInt(t *testing.T, field string, got *int64, raw json.RawMessage) {
	t.Helper()
	if IsNull(raw) {
		if got != nil {
			t.Errorf("%s = %d, want null", field, *got)
		}
		return
	}
	var want int64
	Decode(t, field, raw, &want)
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %d", field, got, want)
	}
}

func checkOptionalBool(t *testing.T, field string, got *bool, raw json.RawMessage) {
	t.Helper()
	if IsNull(raw) {
		if got != nil {
			t.Errorf("%s = %v, want null", field, *got)
		}
		return
	}
	var want bool
	Decode(t, field, raw, &want)
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}
