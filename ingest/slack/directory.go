package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"chatseal/chat"
	"chatseal/ingest"
	"chatseal/ingest/export"
	"chatseal/ingest/internal/jsonscan"
)

// user is the part of a users.json entry that the importer keeps.
type user struct {
	name     string // display name, see userName
	deleted  bool
	external bool // a member of another team, seen through a shared channel
}

// conversation is one channel, private channel, direct message or group
// direct message of the export.
type conversation struct {
	id    string
	title string
	kind  chat.ConversationKind
}

// directory holds the export's metadata: who the users are and which folder
// holds which conversation. It implements Names.
type directory struct {
	users map[string]user
	// folders maps a folder name to its conversation. Slack names the
	// folder of a channel, private channel or group direct message after
	// its name, and the folder of a direct message after its id.
	folders map[string]conversation
	// channelNames maps a conversation id to its name, for <#C…> links.
	channelNames map[string]string
}

// UserName returns the display name of the user with the given id, or ""
// when users.json does not list it.
func (d *directory) UserName(id string) string { return d.users[id].name }

// ChannelName returns the name of the channel with the given id, or "" when
// the export does not list it.
func (d *directory) ChannelName(id string) string { return d.channelNames[id] }

// Metadata files at the root of an export.
const (
	usersFile    = "users.json"
	channelsFile = "channels.json"
	groupsFile   = "groups.json"
	dmsFile      = "dms.json"
	mpimsFile    = "mpims.json"
)

// conversationFiles are the metadata files that list conversations, with
// the kind of conversation each lists. Private channels (groups.json) are
// channels too.
var conversationFiles = []struct {
	name string
	kind chat.ConversationKind
}{
	{channelsFile, chat.Channel},
	{groupsFile, chat.Channel},
	{mpimsFile, chat.Group},
	{dmsFile, chat.Direct},
}

// knownRootFiles are root files that Slack writes and the importer does not
// need; they are skipped without a warning.
var knownRootFiles = map[string]bool{
	"integration_logs.json": true,
	"canvases.json":         true,
	"org_users.json":        true,
	"huddles.json":          true,
	"lists.json":            true,
}

// loadDirectory reads the metadata files under root. A file that is absent
// is skipped, and a file that is not a JSON array is an error. An entry that
// is not a valid object is skipped with an INVALID_FIELD warning.
func loadDirectory(exp *export.Export, root string, opts ingest.Options, display func(string) string) (*directory, error) {
	d := &directory{
		users:        map[string]user{},
		folders:      map[string]conversation{},
		channelNames: map[string]string{},
	}
	m := metadataReader{exp: exp, opts: opts, display: display}
	if err := d.loadUsers(m, path.Join(root, usersFile)); err != nil {
		return nil, err
	}
	for _, f := range conversationFiles {
		if err := d.loadConversations(m, path.Join(root, f.name), f.kind); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// slackUser is a users.json entry.
type slackUser struct {
	ID       string `json:"id"`
	TeamID   string `json:"team_id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	Deleted  bool   `json:"deleted"`
	Profile  struct {
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	} `json:"profile"`
}

func (d *directory) loadUsers(m metadataReader, name string) error {
	var users []slackUser
	teams := map[string]int{}
	err := m.eachEntry(name, func(raw []byte) error {
		// A member of the wrong type leaves that member empty; the user is
		// kept when the id was read, and the error becomes a warning.
		var u slackUser
		err := json.Unmarshal(raw, &u)
		if u.ID == "" {
			return errors.Join(errMissingID, err)
		}
		users = append(users, u)
		teams[u.TeamID]++
		return err
	})
	if err != nil {
		return err
	}

	// The exporting workspace is the team most users belong to; members of
	// other teams come in through shared channels.
	home, homeUsers := "", 0
	for team, n := range teams {
		if team != "" && (n > homeUsers || (n == homeUsers && team < home)) {
			home, homeUsers = team, n
		}
	}
	for _, u := range users {
		d.users[u.ID] = user{
			// The full name comes first and the handle last, because
			// reviewers of an archive identify people by their full
			// names.
			name:     firstNonEmpty(u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name),
			deleted:  u.Deleted,
			external: u.TeamID != "" && home != "" && u.TeamID != home,
		}
	}
	return nil
}

// slackConversation is an entry of channels.json, groups.json, mpims.json or
// dms.json.
type slackConversation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (d *directory) loadConversations(m metadataReader, name string, kind chat.ConversationKind) error {
	return m.eachEntry(name, func(raw []byte) error {
		var c slackConversation
		err := json.Unmarshal(raw, &c)
		if c.ID == "" {
			return errors.Join(errMissingID, err)
		}
		conv := conversation{id: c.ID, title: c.Name, kind: kind}
		folder := c.Name
		if kind == chat.Direct || folder == "" {
			folder = c.ID
		}
		if _, dup := d.folders[folder]; !dup {
			d.folders[folder] = conv
		}
		if c.Name != "" {
			d.channelNames[c.ID] = c.Name
		}
		return err
	})
}

// metadataReader reads the metadata files of an export.
type metadataReader struct {
	exp     *export.Export
	opts    ingest.Options
	display func(string) string // names a file in errors and warnings
}

// eachEntry calls f with each element of the JSON array in the metadata file
// name. An absent file calls f for nothing. An element that is not a valid
// JSON object is skipped, and it and an error from f are reported as an
// INVALID_FIELD warning.
func (m metadataReader) eachEntry(name string, f func(raw []byte) error) error {
	file := m.display(name)
	rc, _, err := m.exp.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("slack: open %s: %w", file, err)
	}
	defer rc.Close()

	ar := newArrayReader(rc, "entries", ingest.MaxRecordBytes, nil)
	for {
		el, err := ar.next()
		if err == io.EOF {
			return nil
		}
		var ae *arrayError
		if errors.As(err, &ae) {
			return fmt.Errorf("slack: %s: %v; the export may be damaged or not a Slack export", file, ae)
		}
		if err != nil {
			return fmt.Errorf("slack: read %s: %w", file, err)
		}

		reason := ""
		switch end, ok := jsonscan.Check(el.raw); {
		case el.truncated:
			reason = fmt.Sprintf("entry is %d bytes long, more than the limit of %d bytes", el.length, ingest.MaxRecordBytes)
		case el.incomplete:
			reason = "the file ends inside the entry; it may be truncated"
		case !ok || end != len(el.raw):
			reason = fmt.Sprintf("invalid JSON at byte %d of the entry", end+1)
		case el.raw[0] != '{':
			reason = "want a JSON object, got " + jsonscan.TypeName(el.raw)
		default:
			if err := f(el.raw); err != nil {
				reason = describeDecodeError(err)
			}
		}
		if reason != "" {
			m.opts.Emit(ingest.Warning{Code: ingest.WarnInvalidField, File: file, Index: el.index, Detail: reason})
		}
	}
}

// errMissingID marks a metadata entry without an id, which is skipped.
var errMissingID = errors.New(`missing "id"; entry skipped`)

// describeDecodeError describes what is wrong with a metadata entry: a
// missing id, the member that has the wrong type (without quoting its
// value), or both.
func describeDecodeError(err error) string {
	var parts []string
	if errors.Is(err, errMissingID) {
		parts = append(parts, errMissingID.Error())
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		parts = append(parts, fmt.Sprintf("field %q: want %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value))
	} else if len(parts) == 0 {
		parts = append(parts, err.Error())
	}
	return strings.Join(parts, "; ")
}
