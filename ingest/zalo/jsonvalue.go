package zalo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// fieldError is a problem with one member of the input, named by its path from
// the line's top-level object, such as "data.ts" or "data[2].msgId". Its text
// becomes a BadRecord reason, so it never contains message text.
type fieldError struct {
	path    string // empty for the line itself
	problem string
}

func (e *fieldError) Error() string {
	if e.path == "" {
		return "line: " + e.problem
	}
	return fmt.Sprintf("field %q: %s", e.path, e.problem)
}

func errorf(path, format string, args ...any) *fieldError {
	return &fieldError{path: path, problem: fmt.Sprintf(format, args...)}
}

// jsonType returns the JSON type of a raw value as it is named in reasons.
func jsonType(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// isNull reports whether a member is absent or JSON null; the importer treats
// both alike.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// quoteShort quotes a format token such as an event name or a timestamp for a
// reason, cut to 40 bytes so that a wrong value cannot carry message text.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// jsonObject is a JSON object whose members are kept raw, so that the type of
// each member is checked where it is read and a wrong one is reported with
// its path. Raw number members keep their exact digits, which is how ids
// longer than a float64 mantissa stay exact.
//
// Members are looked up as in the map that json.Unmarshal would fill: by the
// exact unquoted name, and the last of duplicate names wins.
type jsonObject struct {
	path    string
	raw     json.RawMessage // the object's JSON text
	members []memberSpan    // in input order
}

// memberSpan locates one member in jsonObject.raw. The name is the text
// between the quotes of the member name. Offsets are int32 to halve the
// index, because no JSON text the importer reads is longer than
// ingest.MaxRecordBytes.
type memberSpan struct {
	nameStart, nameEnd   int32
	valueStart, valueEnd int32
	// quotedName is set when the name has escapes or invalid UTF-8, so that
	// it must be unquoted before it is compared.
	quotedName bool
}

// decodeObject decodes raw, the value found at path, as an object. raw must
// be valid JSON, as every value that decodeLine returns and every member or
// element of one is.
func decodeObject(path string, raw json.RawMessage) (jsonObject, *fieldError) {
	if t := jsonType(raw); t != "object" {
		return jsonObject{}, errorf(path, "want an object, got %s", t)
	}
	// The members are gathered on the stack and then copied once, so that
	// the index costs one allocation of its exact size. A zca-js message
	// object has about 20 members, so it fits without growing.
	var gathered [32]memberSpan
	spans := gathered[:0]
	i := skipSpace(raw, 1)
	for raw[i] != '}' {
		nameEnd := skipString(raw, i)
		name := raw[i+1 : nameEnd-1]
		valueStart := skipSpace(raw, skipSpace(raw, nameEnd)+1) // after the colon
		valueEnd := skipValue(raw, valueStart)
		spans = append(spans, memberSpan{
			nameStart:  int32(i + 1),
			nameEnd:    int32(nameEnd - 1),
			valueStart: int32(valueStart),
			valueEnd:   int32(valueEnd),
			quotedName: bytes.IndexByte(name, '\\') >= 0 || !utf8.Valid(name),
		})

		i = skipSpace(raw, valueEnd)
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	members := make([]memberSpan, len(spans))
	copy(members, spans)
	return jsonObject{path: path, raw: raw, members: members}, nil
}

// lookup returns the raw member name and whether it is present.
func (o jsonObject) lookup(name string) (json.RawMessage, bool) {
	for i := len(o.members) - 1; i >= 0; i-- {
		m := &o.members[i]
		var found bool
		if m.quotedName {
			found = unquote(o.raw[m.nameStart-1:m.nameEnd+1]) == name // with the quotes
		} else {
			found = string(o.raw[m.nameStart:m.nameEnd]) == name
		}
		if found {
			return o.raw[m.valueStart:m.valueEnd:m.valueEnd], true
		}
	}
	return nil, false
}

// childPath returns the path of the member name.
func (o jsonObject) childPath(name string) string {
	if o.path == "" {
		return name
	}
	return o.path + "." + name
}

// member returns the raw member name, or nil when it is absent or null.
func (o jsonObject) member(name string) json.RawMessage {
	raw, _ := o.lookup(name)
	if isNull(raw) {
		return nil
	}
	return raw
}

// has reports whether the member name is present, even as null.
func (o jsonObject) has(name string) bool {
	_, ok := o.lookup(name)
	return ok
}

// optionalString returns the string member name, or "" when it is absent or
// null.
func (o jsonObject) optionalString(name string) (string, *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return "", nil
	}
	if t := jsonType(raw); t != "string" {
		return "", errorf(o.childPath(name), "want a string, got %s", t)
	}
	return unquote(raw), nil
}

// requiredString returns the string member name, which must be present and
// not empty.
func (o jsonObject) requiredString(name string) (string, *fieldError) {
	if o.member(name) == nil {
		return "", errorf(o.childPath(name), "missing")
	}
	s, err := o.optionalString(name)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", errorf(o.childPath(name), "empty")
	}
	return s, nil
}

// optionalID returns the id member name as a string. Zalo writes some ids as
// strings and others as JSON numbers; a number is returned with its exact
// digits. An absent or null member returns "".
func (o jsonObject) optionalID(name string) (string, *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return "", nil
	}
	switch jsonType(raw) {
	case "string":
		return o.optionalString(name)
	case "number":
		if !isInteger(raw) {
			return "", errorf(o.childPath(name), "want an integer id, got a number with a fraction or exponent")
		}
		return string(raw), nil
	}
	return "", errorf(o.childPath(name), "want a string or integer id, got %s", jsonType(raw))
}

// requiredID is optionalID for a member that must be present and not empty.
func (o jsonObject) requiredID(name string) (string, *fieldError) {
	if o.member(name) == nil {
		return "", errorf(o.childPath(name), "missing")
	}
	id, err := o.optionalID(name)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", errorf(o.childPath(name), "empty")
	}
	return id, nil
}

// optionalInt returns the integer member name, written either as a JSON
// number or as a string of decimal digits. ok is false when it is absent or
// null.
func (o jsonObject) optionalInt(name string) (n int64, ok bool, ferr *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return 0, false, nil
	}
	text := string(raw)
	switch jsonType(raw) {
	case "number":
	case "string":
		text = unquote(raw)
	default:
		return 0, false, errorf(o.childPath(name), "want an integer, got %s", jsonType(raw))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, false, errorf(o.childPath(name), "want an integer, got %s", quoteShort(text))
	}
	return n, true, nil
}

// optionalFloat is optionalInt for a number that may have a fraction.
func (o jsonObject) optionalFloat(name string) (f float64, ok bool, ferr *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return 0, false, nil
	}
	text := string(raw)
	switch jsonType(raw) {
	case "number":
	case "string":
		text = unquote(raw)
	default:
		return 0, false, errorf(o.childPath(name), "want a number, got %s", jsonType(raw))
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, false, errorf(o.childPath(name), "want a number, got %s", quoteShort(text))
	}
	return f, true, nil
}

// optionalObject returns the object member name. ok is false when it is
// absent or null.
func (o jsonObject) optionalObject(name string) (obj jsonObject, ok bool, ferr *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return jsonObject{}, false, nil
	}
	obj, ferr = decodeObject(o.childPath(name), raw)
	if ferr != nil {
		return jsonObject{}, false, ferr
	}
	return obj, true, nil
}

// optionalArray returns the elements of the array member name. ok is false
// when it is absent or null.
func (o jsonObject) optionalArray(name string) (elems []json.RawMessage, ok bool, ferr *fieldError) {
	raw := o.member(name)
	if raw == nil {
		return nil, false, nil
	}
	elems, ferr = decodeArray(o.childPath(name), raw)
	if ferr != nil {
		return nil, false, ferr
	}
	return elems, true, nil
}

// decodeArray decodes raw, the value found at path, as an array. raw must be
// valid JSON, as for decodeObject.
func decodeArray(path string, raw json.RawMessage) ([]json.RawMessage, *fieldError) {
	if t := jsonType(raw); t != "array" {
		return nil, errorf(path, "want an array, got %s", t)
	}
	var elems []json.RawMessage
	i := skipSpace(raw, 1)
	for raw[i] != ']' {
		end := skipValue(raw, i)
		elems = append(elems, raw[i:end:end])
		i = skipSpace(raw, end)
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return elems, nil
}

// elemPath returns the path of element i of the array at path.
func elemPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// isInteger reports whether a raw JSON number has neither a fraction nor an
// exponent.
func isInteger(raw json.RawMessage) bool {
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}
