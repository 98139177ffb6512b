package chat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// This file keeps the reflection-based record codec that EncodeRecord and
// DecodeRecord replaced. It is the oracle of the equivalence tests, because
// the records already archived are what these functions wrote.

// referenceEncodeRecord is the former EncodeRecord.
func referenceEncodeRecord(dst []byte, m *Message) ([]byte, error) {
	raw := m.Raw
	shadow := *m
	shadow.Raw = nil
	shadow.RawFormat = referenceRawFormatOf(raw)

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
		quoted, err := referenceMarshalNoEscape(string(raw))
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

// referenceDecodeRecord is the former DecodeRecord.
func referenceDecodeRecord(line []byte) (*Message, error) {
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

func referenceRawFormatOf(raw []byte) RawFormat {
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

func referenceMarshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
