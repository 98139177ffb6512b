package chat

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// benchRaw is a zca-js "message" event for a Zalo text message, 645 bytes,
// as the Zalo importer stores it in Message.Raw.
const benchRaw = `{"event": "message", "threadType": "user", "data": {"actionId": "101", "msgId": "7100000000101", "cliMsgId": "1716000000100", "msgType": "webchat", "uidFrom": "7712345678901234567", "idTo": "0", "dName": "Lan Phương", "ts": "1716000000123", "status": 1, "content": "Chị ơi còn size L không ạ", "notify": "1", "ttl": 0, "userId": "0", "uin": "0", "topOut": "0", "topOutTimeOut": "0", "topOutImprTimeOut": "0", "propertyExt": {"color": 0, "size": 0, "type": 0, "subType": 0, "ext": "{\"shouldParseLinkOrContact\":0}"}, "paramsExt": {"countUnread": 1, "containType": 0, "platformType": 1}, "cmd": 501, "st": 3, "at": 5, "realMsgId": "0"}}`

// benchMessage returns a typical inbound Zalo text message: about 100
// characters of Vietnamese text and a raw payload stored as RawJSON.
func benchMessage() *Message {
	ict := time.FixedZone("ICT", 7*3600)
	return &Message{
		ID:               "01HYF3Q8ZK4T6W9X2B5N7M1C3D",
		Seq:              184467,
		Tenant:           DefaultTenant,
		Source:           "zalo",
		SourceID:         "7100000000101",
		ClientID:         "1716000000100",
		Account:          "7712345678900000001",
		Conversation:     "zalo:user:7712345678901234567",
		ConversationKind: Direct,
		SentAt:           time.UnixMilli(1716000000123).In(ict),
		IngestedAt:       time.Date(2024, 6, 2, 8, 15, 42, 123000000, time.UTC),
		Sender:           Participant{ID: "7712345678901234567", Name: "Lan Phương"},
		Direction:        Inbound,
		Kind:             KindText,
		RawType:          "webchat",
		Text:             "Chị ơi còn size L không ạ? Em muốn đặt 2 áo sơ mi trắng, giao về Quận 3 trước thứ Bảy được không chị?",
		Raw:              []byte(benchRaw),
	}
}

func BenchmarkEncodeRecord(b *testing.B) {
	benchmarkEncode(b, EncodeRecord)
}

// BenchmarkEncodeRecordReference measures the reflection-based encoder that
// EncodeRecord replaced, on the same message, for side-by-side figures.
func BenchmarkEncodeRecordReference(b *testing.B) {
	benchmarkEncode(b, referenceEncodeRecord)
}

func BenchmarkDecodeRecord(b *testing.B) {
	benchmarkDecode(b, DecodeRecord)
}

// BenchmarkDecodeRecordReference measures the json.Unmarshal-based decoder
// that DecodeRecord replaced, on the same record.
func BenchmarkDecodeRecordReference(b *testing.B) {
	benchmarkDecode(b, referenceDecodeRecord)
}

func benchmarkEncode(b *testing.B, encode func([]byte, *Message) ([]byte, error)) {
	m := benchMessage()
	buf, err := encode(nil, m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, err = encode(buf[:0], m)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkDecode(b *testing.B, decode func([]byte) (*Message, error)) {
	record, err := referenceEncodeRecord(nil, benchMessage())
	if err != nil {
		b.Fatal(err)
	}
	line := bytes.TrimSuffix(record, []byte("\n"))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidJSON(b *testing.B) {
	payload := []byte(benchRaw)
	for _, bench := range []struct {
		name  string
		valid func([]byte) bool
	}{
		{"validJSON", validJSON},
		{"json.Valid", json.Valid},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if !bench.valid(payload) {
					b.Fatal("payload reported invalid")
				}
			}
		})
	}
}
