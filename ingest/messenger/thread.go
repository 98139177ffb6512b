package messenger

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
	"chatseal/ingest"
)

// format is the export a thread file belongs to.
type format int

const (
	formatUnknown format = iota
	formatDYI
	formatE2EE
)

// thread is a loaded thread: its files in memory and its message items in
// the order Next returns them.
type thread struct {
	format format
	conv   Conversation
	files  []threadFile
	items  []item
	pos    int // index into items of the next item to return

	// Identity of exact repeats: the base SourceIDs already given to the
	// messages of timestamp groupTS.
	groupTS     int64
	groupIDs    []string
	groupCounts map[string]int // groupIDs counted, once they are many
	// hashInput is the buffer sourceID hashes, kept between calls.
	hashInput []byte
	// repaired is set once a string of the thread has been repaired.
	repaired bool
}

// threadFile is one file of a thread.
type threadFile struct {
	name string // relative to the export's root
	data []byte

	// lineOffset and lineNumber are the last position line looked up, so
	// that bad records in file order cost one pass over the file.
	lineOffset, lineNumber int
}

// line returns the 1-based line number of the byte at offset.
func (f *threadFile) line(offset int) int {
	if offset < f.lineOffset || f.lineNumber == 0 {
		f.lineOffset, f.lineNumber = 0, 1
	}
	f.lineNumber += bytes.Count(f.data[f.lineOffset:offset], []byte("\n"))
	f.lineOffset = offset
	return f.lineNumber
}

// item is one element of a file's messages array.
type item struct {
	ts    int64 // epoch milliseconds, or math.MaxInt64 when bad is set
	file  int   // index into thread.files
	index int   // position in the file's messages array, from 0
	start int   // byte offsets of the element in its file
	end   int
	// bad is the reason the element is not a message, or "" for a
	// message.
	bad string
}

// loadThread reads the files of src and orders their message items.
func (r *Reader) loadThread(src threadSource) (*thread, error) {
	th := &thread{}
	budget := r.maxThreadBytes
	var metas []threadMeta
	for fi, name := range src.files {
		data, err := r.readFile(name, budget)
		if err != nil {
			return nil, err
		}
		budget -= int64(len(data))
		r.offset += int64(len(data))

		scan, err := scanFile(data)
		if err != nil && src.dyi {
			// The file is named like a DYI message file but is cut short
			// or invalid before its messages: it becomes one bad record,
			// and the thread's other files are still read.
			th.format = formatDYI
			th.files = append(th.files, threadFile{name: name, data: data})
			th.items = append(th.items, item{ts: math.MaxInt64, file: fi, end: len(data), bad: "not readable as a DYI message file: " + err.Error()})
			metas = append(metas, threadMeta{})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("messenger: %s: %w; want a Messenger DYI message file or E2EE chat export", r.display(name), err)
		}
		if !scan.hasMessages {
			return nil, fmt.Errorf("messenger: %s: not a Messenger export (no \"messages\" array); check --source", r.display(name))
		}
		f := detectFormat(data, scan)
		switch {
		case f == formatUnknown:
			return nil, fmt.Errorf("messenger: %s: not a Messenger export: neither DYI members (thread_path, sender_name, timestamp_ms) nor E2EE members (threadName, senderName, timestamp); check --source", r.display(name))
		case src.dyi && f != formatDYI:
			return nil, fmt.Errorf("messenger: %s: is named like a DYI message file but has the shape of an E2EE chat export; import it on its own", r.display(name))
		}
		th.format = f
		th.files = append(th.files, threadFile{name: name, data: data})
		metas = append(metas, r.decodeMeta(name, f, data, scan))

		tsKey := "timestamp_ms"
		if f == formatE2EE {
			tsKey = "timestamp"
		}
		th.items = slices.Grow(th.items, len(scan.items)+1)
		for i, sp := range scan.items {
			th.items = append(th.items, indexItem(data, fi, i, sp, tsKey))
		}
		if scan.broken != nil {
			th.items = append(th.items, item{ts: math.MaxInt64, file: fi, index: len(scan.items), start: scan.broken.offset, end: len(data), bad: scan.broken.reason})
		}
	}

	conv, repaired := r.conversation(src, th.format, metas)
	th.conv = conv
	r.countRepairs(th, repaired)
	th.order()
	r.conversations = append(r.conversations, th.conv)
	if th.format == formatDYI {
		r.media.add(th.conv.ThreadPath, src.dir)
	}
	return th, nil
}

// readFile reads the file name whole, failing when it is larger than
// budget bytes.
func (r *Reader) readFile(name string, budget int64) ([]byte, error) {
	rc, size, err := r.files.Open(name)
	if err != nil {
		return nil, fmt.Errorf("messenger: open %s: %w", r.display(name), err)
	}
	defer rc.Close()
	if size > budget {
		return nil, r.tooLarge(name)
	}
	data := make([]byte, 0, max(size, 0)+1)
	data, err = readAllLimited(rc, data, budget)
	if err != nil {
		if err == errOverBudget {
			return nil, r.tooLarge(name)
		}
		return nil, fmt.Errorf("messenger: read %s: %w", r.display(name), err)
	}
	return data, nil
}

func (r *Reader) tooLarge(name string) error {
	return fmt.Errorf("messenger: %s: the thread is more than %d MiB of JSON, the most this importer keeps in memory to sort a thread; import its message_N.json files one at a time", r.display(name), r.maxThreadBytes>>20)
}

var errOverBudget = errors.New("over budget")

// readAllLimited appends rc's bytes to data and fails with errOverBudget
// when there are more than limit of them.
func readAllLimited(rc io.Reader, data []byte, limit int64) ([]byte, error) {
	lr := io.LimitReader(rc, limit+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, errOverBudget
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// detectFormat distinguishes a DYI message file from an E2EE chat export
// by the members that one format has and the other lacks.
func detectFormat(data []byte, scan *fileScan) format {
	var dyi, e2ee bool
	for _, key := range []string{"thread_path", "title", "is_still_participant", "magic_words"} {
		if _, ok := scan.members[key]; ok {
			dyi = true
		}
	}
	if _, ok := scan.members["threadName"]; ok {
		e2ee = true
	}
	if sp, ok := scan.members["participants"]; ok {
		value := data[sp.start:sp.end]
		if i := skipSpace(value, 1); value[0] == '[' && i < len(value) {
			switch value[i] {
			case '{':
				dyi = true
			case '"':
				e2ee = true
			}
		}
	}
	if len(scan.items) > 0 {
		first := scan.items[0]
		members(data[first.start:first.end], func(key, _ []byte) bool {
			switch string(key) {
			case "sender_name", "timestamp_ms":
				dyi = true
			case "senderName", "timestamp":
				e2ee = true
			}
			return true
		})
	}
	switch {
	case dyi && !e2ee:
		return formatDYI
	case e2ee && !dyi:
		return formatE2EE
	}
	return formatUnknown
}

// indexItem reads the timestamp of the element at sp, or why the element
// cannot be a message.
func indexItem(data []byte, file, index int, sp span, tsKey string) item {
	it := item{file: file, index: index, start: sp.start, end: sp.end, ts: math.MaxInt64}
	value := data[sp.start:sp.end]
	switch {
	case value[0] != '{':
		it.bad = fmt.Sprintf("messages item %d is not a JSON object", index)
		return it
	case len(value) > ingest.MaxRecordBytes:
		it.bad = fmt.Sprintf("messages item %d is %d bytes long, more than the limit of %d bytes; only its start is kept", index, len(value), ingest.MaxRecordBytes)
		return it
	}

	var tsValue []byte
	members(value, func(key, v []byte) bool {
		if string(key) == tsKey {
			tsValue = v
		}
		return true
	})
	if tsValue == nil {
		// members stops at invalid JSON, which is then the better reason.
		var d decoder
		d.reset(value)
		d.skip()
		if d.end(); d.err != "" {
			it.bad = fmt.Sprintf("messages item %d: %s", index, d.err)
			return it
		}
		it.bad = fmt.Sprintf("messages item %d has no %s", index, tsKey)
		return it
	}
	ts, ok := parseEpochMillis(tsValue)
	if !ok {
		it.bad = fmt.Sprintf("messages item %d: %s is %s, want epoch milliseconds", index, tsKey, quoteShort(string(tsValue)))
		return it
	}
	it.ts = ts
	return it
}

// maxEpochMillis is the last millisecond of the year 9999 less one day, so
// that the time stays within year 9999 in any zone: RFC 3339, and so
// chat.EncodeRecord, cannot write later times.
const maxEpochMillis = 253402300799999 - 24*3600*1000

// parseEpochMillis parses a JSON integer of epoch milliseconds from 0 (1970)
// to the year 9999.
func parseEpochMillis(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || ms > maxEpochMillis {
		return 0, false
	}
	return ms, true
}

// order sorts the items oldest first. A DYI thread starts from the reverse
// of Meta's order, so that equal timestamps keep the order they were sent
// in. An E2EE chat starts from file order. Bad items without a time go
// last, in file order.
func (th *thread) order() {
	if th.format == formatDYI {
		// Items were added from message_1.json (the newest) on, each file
		// newest first, so the reverse is the order of sending.
		slices.Reverse(th.items)
	}
	if !slices.IsSortedFunc(th.items, compareTime) {
		slices.SortStableFunc(th.items, compareTime)
	}
	untimed, _ := slices.BinarySearchFunc(th.items, int64(math.MaxInt64), func(it item, ts int64) int { return cmp.Compare(it.ts, ts) })
	slices.SortFunc(th.items[untimed:], func(a, b item) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.index, b.index))
	})
}

func compareTime(a, b item) int { return cmp.Compare(a.ts, b.ts) }

// next returns the thread's next message or bad record, or nil, nil when
// the thread is done. A done thread releases its files.
func (th *thread) next(r *Reader) (*chat.Message, error) {
	if th.pos >= len(th.items) {
		th.files = nil
		th.items = nil
		return nil, nil
	}
	it := th.items[th.pos]
	th.pos++
	if it.bad != "" {
		return nil, r.badRecord(th, it, it.bad)
	}

	f := th.files[it.file]
	raw := f.data[it.start:it.end]
	var m *chat.Message
	var reason string
	if th.format == formatDYI {
		m, reason = r.parseDYI(th, it, raw)
	} else {
		m, reason = r.parseE2EE(th, it, raw)
	}
	if reason != "" {
		return nil, r.badRecord(th, it, fmt.Sprintf("messages item %d: %s", it.index, reason))
	}
	return m, nil
}

// badRecord returns the bad record of it, holding at most
// ingest.MaxRecordBytes of its bytes.
func (r *Reader) badRecord(th *thread, it item, reason string) *ingest.BadRecord {
	f := &th.files[it.file]
	end := it.end
	truncated := false
	if end-it.start > ingest.MaxRecordBytes {
		end, truncated = it.start+ingest.MaxRecordBytes, true
	}
	return &ingest.BadRecord{
		File:      r.display(f.name),
		Line:      f.line(it.start),
		Offset:    int64(it.start),
		Reason:    reason,
		Raw:       bytes.Clone(f.data[it.start:end]),
		Truncated: truncated,
	}
}

// newMessage returns a message of th with the fields every message shares.
// Raw shares the bytes of the thread's file, which a message therefore
// keeps in memory. Its capacity ends with the item, so that an append to
// it cannot write into the file's next item.
func (r *Reader) newMessage(th *thread, it item, raw []byte, sender string) *chat.Message {
	m := &chat.Message{
		Source:            Source,
		Account:           r.opts.Account,
		Conversation:      th.conv.ID,
		ConversationKind:  th.conv.Kind,
		ConversationTitle: th.conv.Title,
		SentAt:            time.UnixMilli(it.ts).In(r.loc),
		Sender:            chat.Participant{Name: sender},
		Direction:         chat.Inbound,
		Raw:               raw[:len(raw):len(raw)],
	}
	if r.isSelf(sender) {
		m.Direction = chat.Outbound
	}
	return m
}

// isSelf reports whether name is ingest.Options.SelfName, compared in NFC
// because the user may type the name in another normalisation form than
// Meta stores.
func (r *Reader) isSelf(name string) bool {
	if r.self == "" || name == "" {
		return false
	}
	return name == r.opts.SelfName || name == r.self || nfc(name) == r.self
}

func nfc(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// countRepairs adds n strings of th repaired.
func (r *Reader) countRepairs(th *thread, n int) {
	if n == 0 {
		return
	}
	r.repaired += n
	if !th.repaired {
		th.repaired = true
		r.repairedThreads++
	}
}

// quoteShort quotes s for an error message, cut to 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "..."
	}
	return strconv.Quote(s)
}
