package messenger

import (
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
)

// tree is the part of *export.Export the reader uses. Tests and benchmarks
// give the reader files held in memory instead.
type tree interface {
	Open(name string) (io.ReadCloser, int64, error)
}

// threadSource is one thread to read: its files inside the export.
type threadSource struct {
	// dir is the folder holding the files, relative to the export's root
	// ("" at the root).
	dir string
	// files are the names of the thread's files relative to the export's
	// root. A DYI thread lists message_1.json, with the newest messages,
	// first.
	files []string
	// dyi is set for a thread found by its message_N.json file names. Its
	// files must all be DYI message files.
	dyi bool
}

// findThreads groups the files of an export into threads. When any file is
// named message_N.json, the export is a DYI archive or a part of one: every
// folder holding such files is one thread, and other files are not read.
// Otherwise every .json file is a thread of its own, to be recognised by its
// members, because an E2EE download has one such file per chat.
func findThreads(names []string) []threadSource {
	type numbered struct {
		name string
		n    int
	}
	byDir := map[string][]numbered{}
	var others []string
	for _, name := range names {
		dir, base := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		if n, ok := messageFileNumber(base); ok {
			byDir[dir] = append(byDir[dir], numbered{name, n})
			continue
		}
		if strings.EqualFold(path.Ext(base), ".json") {
			others = append(others, name)
		}
	}

	if len(byDir) == 0 {
		threads := make([]threadSource, 0, len(others))
		for _, name := range others {
			threads = append(threads, threadSource{dir: path.Dir(name), files: []string{name}})
		}
		for i := range threads {
			if threads[i].dir == "." {
				threads[i].dir = ""
			}
		}
		return threads
	}

	dirs := make([]string, 0, len(byDir))
	for dir := range byDir {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	threads := make([]threadSource, 0, len(dirs))
	for _, dir := range dirs {
		files := byDir[dir]
		slices.SortFunc(files, func(a, b numbered) int {
			if a.n != b.n {
				return a.n - b.n
			}
			return strings.Compare(a.name, b.name)
		})
		src := threadSource{dir: dir, dyi: true}
		for _, f := range files {
			src.files = append(src.files, f.name)
		}
		threads = append(threads, src)
	}
	return threads
}

// isHTMLMessageFile reports whether name is a thread file of a DYI archive
// downloaded in HTML format, such as inbox/a_1/message_1.html.
func isHTMLMessageFile(name string) bool {
	base := path.Base(name)
	if !strings.HasSuffix(base, ".html") {
		return false
	}
	_, ok := messageFileNumber(strings.TrimSuffix(base, ".html") + ".json")
	return ok
}

// messageFileNumber returns N for a DYI file name message_N.json.
func messageFileNumber(base string) (int, bool) {
	digits, ok := strings.CutPrefix(base, "message_")
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, ".json")
	if !ok || digits == "" || len(digits) > 9 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// mediaRoots records where the DYI threads read so far sit in the export.
// Meta writes media paths relative to the DYI root, and these places let
// OpenMedia find a file whatever part of the archive the user handed over.
type mediaRoots struct {
	// threadDirs maps a thread_path ("inbox/name_id") to the thread's
	// folder in the export.
	threadDirs map[string]string
	// roots are the folders of the export that hold the DYI root, such as
	// "facebook-user-2024/" in a zip with a top folder. "" is not listed.
	roots []string
}

// add records that the DYI thread threadPath sits in the export folder dir.
func (m *mediaRoots) add(threadPath, dir string) {
	if threadPath == "" {
		return
	}
	if m.threadDirs == nil {
		m.threadDirs = map[string]string{}
	}
	if _, ok := m.threadDirs[threadPath]; !ok {
		m.threadDirs[threadPath] = dir
	}

	// dir is <root>[your_facebook_activity/]messages/<threadPath>, and a
	// media path starts at [your_facebook_activity/]messages/.
	prefix, ok := strings.CutSuffix(dir, threadPath)
	if !ok || prefix == "" || !strings.HasSuffix(prefix, "/") {
		return
	}
	for _, layout := range []string{"your_facebook_activity/messages/", "messages/"} {
		if root, ok := strings.CutSuffix(prefix, layout); ok {
			if root != "" && !slices.Contains(m.roots, root) {
				m.roots = append(m.roots, root)
			}
			return
		}
	}
}

// candidates returns the export paths where the DYI media path p may sit,
// other than p itself: under each known DYI root, and inside the folder of
// the thread that p names.
func (m *mediaRoots) candidates(p string) []string {
	var out []string
	for _, root := range m.roots {
		out = append(out, root+p)
	}
	parts := strings.Split(p, "/")
	for i := 0; i+2 < len(parts); i++ {
		dir, ok := m.threadDirs[parts[i]+"/"+parts[i+1]]
		if !ok {
			continue
		}
		out = append(out, path.Join(dir, strings.Join(parts[i+2:], "/")))
	}
	return out
}
