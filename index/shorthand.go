package index

import (
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
)

// shorthandTable maps Vietnamese chat shorthand ("teencode") to the words it
// stands for. Keys are folded (Fold), so "đc" and "dc" are one key "dc".
// Expansion happens at query time only: the index keeps the words as
// written, and a query word equal to a key also matches the expansion (see
// buildWord).
//
// An abbreviation with two common meanings is either left out or given the
// meaning that a bank's or shop's customer-service chat needs:
//
//   - ck is "chuyển khoản" (bank transfer), not "chồng" (husband).
//   - kh is "khách hàng" (customer), not "không".
//   - bn is "bao nhiêu" (how much), not "bạn" (you).
//   - tk is "tài khoản" (account), not "tao" or other slang.
//   - k is "không". "50k" (50 nghìn) is one word and is not expanded, but a
//     lone "k" after a number, as in "50 k", also matches "không".
//   - h is "giờ" (hour), as in "bây h".
//   - ms is "mới", not "millisecond" or the English title.
//
// Left out, because each has two common meanings or already matches:
//
//   - hông, whose folded form "hong" is also hồng, hỏng and hông (hip);
//   - mk (mình, mật khẩu), bh (bao giờ, bảo hiểm), gd (giao dịch, gia
//     đình), dk (được, đăng ký), dh (đại học, đơn hàng), kg (không,
//     kilogram), sp (sản phẩm, support), hn (hôm nay, Hà Nội);
//   - khong, whose folded form already matches không.
var shorthandTable = map[string]string{
	"ae":   "anh em",
	"bjk":  "biết",
	"bik":  "biết",
	"bn":   "bao nhiêu",
	"cccd": "căn cước công dân",
	"ck":   "chuyển khoản",
	"cmnd": "chứng minh nhân dân",
	"cskh": "chăm sóc khách hàng",
	"cty":  "công ty",
	"cx":   "cũng",
	"dc":   "được",
	"dt":   "điện thoại",
	"dth":  "dễ thương",
	"h":    "giờ",
	"hc":   "học",
	"hcm":  "Hồ Chí Minh",
	"hem":  "không",
	"hnay": "hôm nay",
	"hok":  "không",
	"hqua": "hôm qua",
	"ib":   "nhắn tin",
	"ik":   "đi",
	"iu":   "yêu",
	"j":    "gì",
	"k":    "không",
	"kh":   "khách hàng",
	"khg":  "không",
	"khum": "không",
	"ko":   "không",
	"kq":   "kết quả",
	"lm":   "làm",
	"mn":   "mọi người",
	"mng":  "mọi người",
	"ms":   "mới",
	"nch":  "nói chuyện",
	"ng":   "người",
	"ngta": "người ta",
	"nhg":  "nhưng",
	"nhiu": "nhiều",
	"nma":  "nhưng mà",
	"ns":   "nói",
	"nt":   "nhắn tin",
	"ntn":  "như thế nào",
	"nv":   "nhân viên",
	"oke":  "ok",
	"oki":  "ok",
	"okie": "ok",
	"qc":   "quảng cáo",
	"r":    "rồi",
	"sdt":  "số điện thoại",
	"sg":   "Sài Gòn",
	"sn":   "sinh nhật",
	"sr":   "xin lỗi",
	"stk":  "số tài khoản",
	"thik": "thích",
	"tks":  "cảm ơn",
	"tl":   "trả lời",
	"trc":  "trước",
	"vk":   "vợ",
	"vn":   "Việt Nam",
	"vs":   "với",
	"wa":   "quá",
	"z":    "vậy",
}

// ShorthandEntry is one chat abbreviation and the words it stands for.
type ShorthandEntry struct {
	// Abbreviation is the folded form, as Fold returns it.
	Abbreviation string
	// Expansion is written with full diacritics.
	Expansion string
}

// Shorthand returns the chat abbreviations that a query word expands to,
// sorted by abbreviation, for documentation and help text. The caller may
// modify the returned slice.
func Shorthand() []ShorthandEntry {
	entries := make([]ShorthandEntry, 0, len(shorthandTable))
	for abbreviation, expansion := range shorthandTable {
		entries = append(entries, ShorthandEntry{Abbreviation: abbreviation, Expansion: expansion})
	}
	slices.SortFunc(entries, func(a, b ShorthandEntry) int { return strings.Compare(a.Abbreviation, b.Abbreviation) })
	return entries
}

// expandShorthand returns the expansion of a query word, or "" when the
// word is not one abbreviation. word is matched by its folded form, so
// "KO", "ko" and "đc" are found; a word that folds to several words, such
// as "ko-dc", is not expanded.
func expandShorthand(word string) string {
	folded := Fold(word)
	if folded == "" || strings.IndexByte(folded, ' ') >= 0 {
		return ""
	}
	return shorthandTable[folded]
}

// buildWord returns the query of a bare query word (not a phrase): the word
// itself and, when expand is set and the word is an abbreviation, its
// expansion, which matches as a phrase when it has several words.
func buildWord(word string, expand bool) query.Query {
	literal := buildText(word)
	if !expand || literal == nil {
		return literal
	}
	expansion := expandShorthand(word)
	if expansion == "" {
		return literal
	}
	return query.NewDisjunctionQuery([]query.Query{literal, buildText(expansion)})
}
