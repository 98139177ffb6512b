package zalo

import (
	"encoding/json"
	"fmt"
	"strconv"
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
type jsonObject struct {
	path    string
	members map[string]json.RawMessage
}

// decodeObject decodes raw, the value found at path, as an object.
func decodeObject(path string, raw json.RawMessage) (jsonObject, *fieldError) {
	if t := jsonType(raw); t != "object" {
		return jsonObject{}, errorf(path, "want an object, got %s", t)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return jsonObject{}, errorf(path, "invalid JSON object")
	}
	return jsonObject{path: path, members: members}, nil
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
	raw := o.members[name]
	if isNull(raw) {
		return nil
	}
	return raw
}

// has reports whether the member name is present, even as null.
func (o jsonObject) has(name string) bool {
	_, ok := o.members[name]
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
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errorf(o.childPath(name), "invalid JSON string")
	}
	return s, nil
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
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, false, errorf(o.childPath(name), "invalid JSON string")
		}
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
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, false, errorf(o.childPath(name), "invalid JSON string")
		}
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

// decodeArray decodes raw, the value found at path, as an array.
func decodeArray(path string, raw json.RawMessage) ([]json.RawMessage, *fieldError) {
	if t := jsonType(raw); t != "array" {
		return nil, errorf(path, "want an array, got %s", t)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, errorf(path, "invalid JSON array")
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
