package chat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// RawFormat says how a record stores Message.Raw.
type RawFormat string

const (
	// RawJSON (the zero value) embeds the payload verbatim as the record's
	// "raw" member. Used when the payload is one valid JSON value with no
	// line breaks and no surrounding white space.
	RawJSON RawFormat = ""
	// RawText stores the payload as a JSON string; decoding the string gives
	// the original bytes. Used for valid UTF-8 that is not embeddable JSON.
	RawText RawFormat = "text"
	// RawBase64 stores the payload as a standard base64 string. Used for
	// bytes that are not valid UTF-8.
	RawBase64 RawFormat = "base64"
)

// EncodeRecord appends the one-line JSON record of m to dst, followed by a
// newline, and returns the extended buffer.
//
// encoding/json compacts and re-escapes a json.RawMessage, which would change
// the source's bytes, so the raw payload is spliced in by hand: the record's
// members come first and "raw" is always the last member. The payload's bytes
// round-trip exactly through DecodeRecord in every RawFormat.
func EncodeRecord(dst []byte, m *Message) ([]byte, error) {
	raw := m.Raw
	shadow := *m
	shadow.Raw = nil
	shadow.RawFormat = rawFormatOf(raw)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&shadow); err != nil {
		return dst, fmt.Errorf("chat: encode record %s: %w", m.ID, err)
	}
	body := bytes.TrimRight(buf.Bytes(), "\n")
	if len(raw) == 0 {
		dst = append(dst, body...)
		return append(dst, '\n'), nil
	}

	// body ends with '}'; reopen it to append the raw member.
	dst = append(dst, body[:len(body)-1]...)
	dst = append(dst, `,"raw":`...)
	switch shadow.RawFormat {
	case RawJSON:
		dst = append(dst, raw...)
	case RawText:
		quoted, err := marshalNoEscape(string(raw))
		if err != nil {
			return dst, fmt.Errorf("chat: encode raw of record %s: %w", m.ID, err)
		}
		dst = append(dst, quoted...)
	case RawBase64:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, raw)
		dst = append(dst, '"')
	}
	dst = append(dst, '}', '\n')
	return dst, nil
}

// DecodeRecord parses one record line as written by EncodeRecord. The
// returned message's Raw holds the original payload bytes whatever RawFormat
// the record used, and RawFormat is cleared.
func DecodeRecord(line []byte) (*Message, error) {
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("chat: decode record: %w", err)
	}
	switch m.RawFormat {
	case RawJSON:
	case RawText:
		var s string
		if err := json.Unmarshal(m.Raw, &s); err != nil {
			return nil, fmt.Errorf("chat: decode raw text of record %s: %w", m.ID, err)
		}
		m.Raw = json.RawMessage(s)
	case RawBase64:
		var s string
		if err := json.Unmarshal(m.Raw, &s); err != nil {
			return nil, fmt.Errorf("chat: decode raw base64 of record %s: %w", m.ID, err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("chat: decode raw base64 of record %s: %w", m.ID, err)
		}
		m.Raw = b
	default:
		return nil, fmt.Errorf("chat: record %s has unknown raw_format %q", m.ID, m.RawFormat)
	}
	m.RawFormat = RawJSON
	return &m, nil
}

func rawFormatOf(raw []byte) RawFormat {
	if len(raw) == 0 {
		return RawJSON
	}
	if !utf8.Valid(raw) {
		return RawBase64
	}
	if bytes.ContainsAny(raw, "\r\n") || isJSONSpace(raw[0]) || isJSONSpace(raw[len(raw)-1]) || !json.Valid(raw) {
		return RawText
	}
	return RawJSON
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
