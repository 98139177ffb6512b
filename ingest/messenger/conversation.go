package messenger

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
)

// This file names threads and messages: the conversation of each thread,
// from the thread members of its files, and the SourceID of each message.

// sourceID returns the SourceID of a message: a hash of what identifies it,
// with the occurrence number appended for the second and later exact repeat
// within the same millisecond.
func (th *thread) sourceID(ts int64, sender, text string) string {
	buf := th.hashInput[:0]
	for _, part := range []string{th.conv.ID, strconv.FormatInt(ts, 10), sender, text} {
		buf = binary.AppendUvarint(buf, uint64(len(part)))
		buf = append(buf, part...)
	}
	th.hashInput = buf
	sum := sha256.Sum256(buf)
	id := hex.EncodeToString(sum[:16])

	if ts != th.groupTS {
		th.groupTS = ts
		th.groupIDs = th.groupIDs[:0]
		th.groupCounts = nil
	}
	n := 1
	if th.groupCounts != nil {
		n += th.groupCounts[id]
		th.groupCounts[id]++
	} else {
		for _, seen := range th.groupIDs {
			if seen == id {
				n++
			}
		}
		th.groupIDs = append(th.groupIDs, id)
		// A long run of one timestamp only comes from a damaged or
		// crafted file, and a map keeps its cost linear.
		if len(th.groupIDs) > 32 {
			th.groupCounts = make(map[string]int, 2*len(th.groupIDs))
			for _, seen := range th.groupIDs {
				th.groupCounts[seen]++
			}
		}
	}
	if n > 1 {
		id += "-" + strconv.Itoa(n)
	}
	return id
}

// threadMeta is the thread members of one file.
type threadMeta struct {
	title        string
	threadPath   string
	threadType   string
	participants []string
	present      bool // the file has a participants list
}

// decodeMeta decodes the thread members of one file. A member of the wrong
// type is left out with an INVALID_FIELD warning.
func (r *Reader) decodeMeta(name string, f format, data []byte, scan *fileScan) threadMeta {
	var meta threadMeta
	decode := func(key string, dst any) {
		sp, ok := scan.members[key]
		if !ok {
			return
		}
		if err := json.Unmarshal(data[sp.start:sp.end], dst); err != nil {
			r.opts.Emit(ingest.Warning{Code: ingest.WarnInvalidField, File: r.display(name), Field: key, Detail: "not the expected JSON type; left out"})
		}
	}
	if f == formatE2EE {
		decode("threadName", &meta.title)
		decode("participants", &meta.participants)
	} else {
		decode("title", &meta.title)
		decode("thread_path", &meta.threadPath)
		decode("thread_type", &meta.threadType)
		var people []struct {
			Name string `json:"name"`
		}
		decode("participants", &people)
		for _, p := range people {
			meta.participants = append(meta.participants, p.Name)
		}
	}
	_, meta.present = scan.members["participants"]
	return meta
}

// conversation combines the thread members of a thread's files. The first
// file that gives a member wins, which for DYI is message_1.json, the newest.
// It also returns the number of strings repaired.
func (r *Reader) conversation(src threadSource, f format, metas []threadMeta) (Conversation, int) {
	var title, threadPath, threadType string
	var participants []string
	havePeople := false
	for _, m := range metas {
		title = cmp.Or(title, m.title)
		threadPath = cmp.Or(threadPath, m.threadPath)
		threadType = cmp.Or(threadType, m.threadType)
		if !havePeople && m.present {
			participants, havePeople = m.participants, true
		}
	}

	var fix repairer
	title = fix.fix(title)
	names := make([]string, len(participants))
	for i, p := range participants {
		names[i] = fix.fix(p)
	}
	where := r.display(src.files[0])
	if src.dyi {
		where = filepath.Dir(where)
	}
	if fix.failed {
		r.opts.Emit(ingest.Warning{Code: ingest.WarnMojibakeNotRepairable, File: where, Field: "title, participants", Detail: "looks like mojibake but is not valid UTF-8; kept as written"})
	}

	conv := Conversation{Title: title, Participants: names, Kind: chat.Direct, E2EE: f == formatE2EE}
	if len(names) > 2 || threadType == "RegularGroup" {
		conv.Kind = chat.Group
	}
	if f == formatE2EE {
		if title == "" {
			title = strings.TrimSuffix(path.Base(src.files[0]), path.Ext(src.files[0]))
		}
		conv.ID = "e2ee/" + title
		return conv, fix.repaired
	}
	if threadPath == "" {
		threadPath = fallbackThreadPath(r.display(src.files[0]))
	}
	// The id is the thread folder's name without its category: a thread the
	// user archives between two exports moves from inbox/ to
	// archived_threads/ and must keep its id, or re-import stores it twice.
	conv.ID, conv.ThreadPath = path.Base(threadPath), threadPath
	return conv, fix.repaired
}

// fallbackThreadPath names a DYI thread whose files lack thread_path by the
// last two folders above file, as thread_path would: "inbox/<name>_<id>".
func fallbackThreadPath(file string) string {
	dir := filepath.ToSlash(filepath.Dir(filepath.Clean(file)))
	parent, name := path.Split(dir)
	if category := path.Base(strings.TrimSuffix(parent, "/")); category != "" && category != "." && category != "/" {
		return category + "/" + name
	}
	return name
}
