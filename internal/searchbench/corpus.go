package searchbench

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"chatseal/chat"
)

// Shape of the corpus. The numbers are chosen to look like the chat of a
// shop's or bank's customer-care team, not measured from real archives.
const (
	accountCount = 20
	// activeConversations is how many conversations take turns at any time.
	activeConversations = 48
	// meanConversationLength is the mean number of messages of a
	// conversation, so a corpus of n messages has about n/30 of them.
	meanConversationLength = 30
	// unmarkedCustomerShare is the share of customers who type without
	// diacritics. Customers send about 55% of the messages, so about 20%
	// of all messages are unmarked.
	unmarkedCustomerShare = 0.36
	inboundShare          = 0.55
	// oldNumberShare is the share of customers whose number has 11 digits,
	// as mobile numbers had before Vietnam's 2018 renumbering.
	oldNumberShare = 0.04
)

// corpusStart and corpusSpan bound the start of the conversations: three
// years from 2022-01-01 in Vietnam's time zone.
var (
	corpusStart = time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*60*60))
	corpusSpan  = 3 * 365 * 24 * time.Hour
)

// Corpus returns a deterministic synthetic corpus of n Vietnamese
// customer-care chat messages. The same n and seed give the same messages,
// and the first k messages of a corpus do not depend on n. Messages are
// generated one at a time as the sequence is read, so memory does not grow
// with n.
//
// Message i (from 0) has ID MessageID(i). Its text mixes template sentences
// about orders, payments, delivery and complaints with words drawn by Zipf
// rank from a vocabulary of about 3,500 words. It holds phone numbers and
// amounts of money written in the ways customers write them. About 20% of
// the messages are typed without diacritics, the whole conversation alike.
// There are 20 accounts on four chat platforms, and send times spread over
// three years from 2022.
func Corpus(n int, seed int64) iter.Seq[*chat.Message] {
	return func(yield func(*chat.Message) bool) {
		g := newGenerator(seed)
		for i := range n {
			if !yield(g.next(i)) {
				return
			}
		}
	}
}

// MessageID returns the ID of message i of a corpus: "m" and i+1 in ten
// digits, so that IDs sort as the messages were generated and i+1 is the
// message's SQLite rowid.
func MessageID(i int) string { return fmt.Sprintf("m%010d", i+1) }

// rowID returns the SQLite rowid of the message with ID id, or false when
// id is not a corpus ID.
func rowID(id string) (int64, bool) {
	if len(id) != 11 || id[0] != 'm' {
		return 0, false
	}
	n, err := strconv.ParseInt(id[1:], 10, 64)
	return n, err == nil
}

type account struct {
	name   string
	source string
	staff  []chat.Participant
}

type conversation struct {
	id       string
	account  *account
	customer chat.Participant
	// phone is the customer's number in national form.
	phone    string
	title    string // form of address that staff use: anh or chị
	unmarked bool
	at       time.Time
	left     int
	seq      int
}

type generator struct {
	rng      *rand.Rand
	zipf     *rand.Zipf
	vocab    *vocabulary
	accounts []*account
	active   [activeConversations]*conversation
	started  int
	text     strings.Builder
}

func newGenerator(seed int64) *generator {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed_c0ffee))
	vocab := loadVocabulary()
	g := &generator{
		rng:   rng,
		zipf:  rand.NewZipf(rng, 1.1, 2, uint64(len(vocab.words)-1)),
		vocab: vocab,
	}
	sources := []string{"zalo", "zalo", "zalo", "zalo", "zalo", "whatsapp", "whatsapp", "messenger", "messenger", "telegram"}
	for i := range accountCount {
		source := sources[i%len(sources)]
		a := &account{name: fmt.Sprintf("%s-cskh-%02d", source, i+1), source: source}
		for k := range 4 {
			a.staff = append(a.staff, chat.Participant{ID: fmt.Sprintf("nv%02d%d", i+1, k), Name: g.personName()})
		}
		g.accounts = append(g.accounts, a)
	}
	for i := range g.active {
		g.active[i] = g.newConversation()
	}
	return g
}

func (g *generator) newConversation() *conversation {
	g.started++
	c := &conversation{
		id:       fmt.Sprintf("c%07d", g.started),
		account:  g.accounts[g.rng.IntN(len(g.accounts))],
		customer: chat.Participant{ID: fmt.Sprintf("u%07d", g.started), Name: g.personName()},
		phone:    g.phoneNumber(),
		title:    []string{"anh", "chị"}[g.rng.IntN(2)],
		unmarked: g.rng.Float64() < unmarkedCustomerShare,
		at:       corpusStart.Add(time.Duration(g.rng.Int64N(int64(corpusSpan)))),
		left:     3 + int(g.rng.ExpFloat64()*(meanConversationLength-3)),
	}
	return c
}

var (
	familyNames = strings.Fields("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý")
	middleNames = strings.Fields("Văn Thị Minh Ngọc Thanh Hữu Đức Thu Quang Bảo")
	givenNames  = strings.Fields("An Bình Châu Dũng Hà Hải Hạnh Hoa Hùng Hương Khoa Lan Linh Long Mai Nam Ngân Phúc Phương Quân Sơn Tâm Thảo Trang Tuấn Vy Yến")
)

func (g *generator) personName() string {
	return familyNames[g.rng.IntN(len(familyNames))] + " " + middleNames[g.rng.IntN(len(middleNames))] + " " + givenNames[g.rng.IntN(len(givenNames))]
}

// mobilePrefixes are today's three-digit mobile prefixes; oldPrefixes are
// 11-digit prefixes from before the 2018 renumbering.
var (
	mobilePrefixes = strings.Fields("032 033 034 035 036 037 038 039 056 058 059 070 076 077 078 079 081 082 083 084 085 086 088 089 090 091 092 093 094 096 097 098 099")
	oldPrefixes    = strings.Fields("0162 0163 0164 0165 0166 0167 0168 0169 0120 0121 0122 0126 0128 0123 0124 0125 0127 0129")
)

// phoneNumber returns a customer's number in national form: 10 digits, or
// 11 for a number written before the renumbering.
func (g *generator) phoneNumber() string {
	prefix := mobilePrefixes[g.rng.IntN(len(mobilePrefixes))]
	if g.rng.Float64() < oldNumberShare {
		prefix = oldPrefixes[g.rng.IntN(len(oldPrefixes))]
	}
	return fmt.Sprintf("%s%07d", prefix, g.rng.IntN(10_000_000))
}

// next returns message i, from the conversation whose turn it is.
func (g *generator) next(i int) *chat.Message {
	slot := g.rng.IntN(len(g.active))
	c := g.active[slot]
	c.left--
	if c.left <= 0 {
		g.active[slot] = g.newConversation()
	}
	c.seq++
	if c.seq > 1 {
		gap := time.Duration(g.rng.ExpFloat64() * float64(4*time.Minute))
		if g.rng.IntN(20) == 0 {
			gap += time.Duration(g.rng.IntN(48)) * time.Hour
		}
		c.at = c.at.Add(gap.Truncate(time.Second) + time.Second)
	}

	m := &chat.Message{
		ID:               MessageID(i),
		Tenant:           chat.DefaultTenant,
		Source:           c.account.source,
		SourceID:         fmt.Sprintf("%s-%d", c.id, c.seq),
		Account:          c.account.name,
		Conversation:     c.id,
		ConversationKind: chat.Direct,
		SentAt:           c.at,
		Kind:             chat.KindText,
	}
	if c.seq == 1 || g.rng.Float64() < inboundShare {
		m.Direction = chat.Inbound
		m.Sender = c.customer
		m.Text = g.message(c, customerTemplates)
		if c.unmarked {
			m.Text = stripMarks(m.Text)
		}
	} else {
		m.Direction = chat.Outbound
		m.Sender = c.account.staff[g.rng.IntN(len(c.account.staff))]
		m.Text = capitalize(g.message(c, staffTemplates))
	}
	return m
}

// message writes one or two clauses: templates or runs of Zipf words.
func (g *generator) message(c *conversation, templates [][]segment) string {
	g.text.Reset()
	clauses := 1
	if g.rng.IntN(10) < 3 {
		clauses = 2
	}
	for k := range clauses {
		if k > 0 {
			g.text.WriteString([]string{", ", ". ", " "}[g.rng.IntN(3)])
		}
		if g.rng.IntN(100) < 55 {
			g.fill(c, templates[g.rng.IntN(len(templates))])
		} else {
			g.words(3 + g.rng.IntN(9))
		}
	}
	switch g.rng.IntN(12) {
	case 0:
		g.text.WriteString("?")
	case 1:
		g.text.WriteString(" 🙏")
	case 2:
		g.text.WriteString("!!")
	case 3:
		g.text.WriteString(" 😡")
	case 4, 5:
		g.text.WriteString(".")
	}
	return g.text.String()
}

// words writes count words drawn by Zipf rank.
func (g *generator) words(count int) {
	for k := range count {
		if k > 0 {
			g.text.WriteByte(' ')
		}
		g.text.WriteString(g.vocab.words[g.zipf.Uint64()])
	}
}

func (g *generator) fill(c *conversation, template []segment) {
	for _, s := range template {
		switch s.slot {
		case "":
			g.text.WriteString(s.text)
		case "w":
			g.words(1)
		case "title":
			g.text.WriteString(c.title)
		case "phone":
			g.text.WriteString(formatPhone(c.phone, g.rng.IntN(len(phoneFormats))))
		case "hotline":
			g.text.WriteString(hotlines[g.rng.IntN(len(hotlines))])
		case "money":
			g.text.WriteString(g.amount())
		case "order":
			fmt.Fprintf(&g.text, "DH%07d", g.rng.IntN(10_000_000))
		case "n":
			g.text.WriteString(strconv.Itoa(2 + g.rng.IntN(6)))
		case "product":
			g.text.WriteString(products[g.rng.IntN(len(products))])
		case "place":
			g.text.WriteString(places[g.rng.IntN(len(places))])
		default:
			panic("searchbench: internal error: unknown template slot " + s.slot)
		}
	}
}

var hotlines = []string{"1900 6868", "1900 1234", "1800 599 920", "19001009", "1800.6789"}

// phoneFormats are the ways a number is written, by index for formatPhone.
var phoneFormats = []string{
	"plain", "spaced", "dotted", "dashed", "e164-spaced", "e164", "84", "paren", "split-3-3-4",
}

// formatPhone writes the national number national in format f of
// phoneFormats. An 11-digit number is written plain or in groups 4-3-4.
func formatPhone(national string, f int) string {
	if len(national) == 11 {
		if f%2 == 0 {
			return national
		}
		return national[:4] + " " + national[4:7] + " " + national[7:]
	}
	sub := national[1:]
	switch phoneFormats[f] {
	case "spaced":
		return national[:4] + " " + national[4:7] + " " + national[7:]
	case "dotted":
		return national[:4] + "." + national[4:7] + "." + national[7:]
	case "dashed":
		return national[:4] + "-" + national[4:7] + "-" + national[7:]
	case "e164-spaced":
		return "+84 " + sub[:3] + " " + sub[3:6] + " " + sub[6:]
	case "e164":
		return "+84" + sub
	case "84":
		return "84" + sub
	case "paren":
		return "(+84) " + sub
	case "split-3-3-4":
		return national[:3] + " " + national[3:6] + " " + national[6:]
	}
	return national
}

// amount writes an amount of money the way chat users do.
func (g *generator) amount() string {
	r := g.rng.IntN(100)
	switch {
	case r < 55:
		// Prices in thousands: 15k to 999k.
		k := 15 + int(g.rng.ExpFloat64()*180)
		if k > 999 {
			k = 999
		}
		if g.rng.IntN(3) > 0 {
			k = k / 10 * 10
		}
		switch g.rng.IntN(8) {
		case 0:
			return fmt.Sprintf("%dk", k)
		case 1:
			return fmt.Sprintf("%dK", k)
		case 2:
			return fmt.Sprintf("%d.000đ", k)
		case 3:
			return fmt.Sprintf("%d.000 đ", k)
		case 4:
			return fmt.Sprintf("%d nghìn", k)
		case 5:
			return fmt.Sprintf("%d ngàn", k)
		case 6:
			return fmt.Sprintf("%d,000 VND", k)
		default:
			return fmt.Sprintf("%d000đ", k)
		}
	case r < 97:
		// Millions, with an optional tenth: 1tr5 is 1,500,000.
		m := 1 + int(g.rng.ExpFloat64()*4)
		if m > 99 {
			m = 99
		}
		tenth := g.rng.IntN(10)
		if g.rng.IntN(2) == 0 {
			tenth = 0
		}
		switch g.rng.IntN(7) {
		case 0:
			if tenth == 0 {
				return fmt.Sprintf("%dtr", m)
			}
			return fmt.Sprintf("%dtr%d", m, tenth)
		case 1:
			return fmt.Sprintf("%d,%d triệu", m, tenth)
		case 2:
			return fmt.Sprintf("%d.%dtr", m, tenth)
		case 3:
			return fmt.Sprintf("%d.%d00.000đ", m, tenth)
		case 4:
			return fmt.Sprintf("%d.%d00.000 đồng", m, tenth)
		case 5:
			if tenth == 0 {
				return fmt.Sprintf("%d củ", m)
			}
			return fmt.Sprintf("%d,%d00,000 VND", m, tenth)
		default:
			return fmt.Sprintf("%d triệu", m)
		}
	default:
		b := 1 + g.rng.IntN(5)
		if g.rng.IntN(2) == 0 {
			return fmt.Sprintf("%d tỷ", b)
		}
		return fmt.Sprintf("%d,%d tỷ", b, 1+g.rng.IntN(9))
	}
}

// segment is a literal run of a template, or a slot when slot is set.
type segment struct {
	text string
	slot string
}

// parseTemplates splits each template at its {slot} marks.
func parseTemplates(templates ...string) [][]segment {
	out := make([][]segment, len(templates))
	for i, t := range templates {
		for t != "" {
			open := strings.IndexByte(t, '{')
			if open < 0 {
				out[i] = append(out[i], segment{text: t})
				break
			}
			end := strings.IndexByte(t[open:], '}') + open
			if open > 0 {
				out[i] = append(out[i], segment{text: t[:open]})
			}
			out[i] = append(out[i], segment{slot: t[open+1 : end]})
			t = t[end+1:]
		}
	}
	return out
}

// Templates of customer and staff sentences. A {phone} or {money} slot is
// always followed by a word, never by digits, so that the number ends
// where the template intends.
var (
	customerTemplates = parseTemplates(
		"shop ơi đơn hàng {order} của em sao chưa giao vậy",
		"em đặt {product} từ tuần trước mà vẫn chưa nhận được hàng",
		"em đã chuyển khoản {money} rồi mà chưa thấy xác nhận",
		"sđt của em là {phone} nhé shop",
		"shop gọi lại cho em qua số {phone} giúp em với",
		"hàng nhận bị lỗi, em muốn đổi trả {product}",
		"em muốn khiếu nại nhân viên giao hàng thái độ không tốt",
		"giá {product} bao nhiêu vậy shop",
		"phí ship {money} hả shop, sao đắt vậy",
		"tài khoản của em bị trừ {money} hai lần",
		"khi nào hoàn tiền cho em ạ, em chờ {n} ngày rồi",
		"giao hàng chậm quá, em đặt {n} ngày chưa thấy",
		"em ở {place}, shop có giao tới không",
		"shipper gọi số {phone} mà em không nghe máy kịp",
		"em chuyển nhầm {money} vào tài khoản shop, hoàn lại giúp em",
		"cho em hỏi {product} còn hàng không",
		"em muốn hủy đơn {order} được không shop",
		"sao em thanh toán {money} mà đơn vẫn báo chưa thanh toán",
		"hàng giao thiếu {n} món, em khiếu nại lần thứ {n} rồi đó",
		"mã giảm giá không dùng được, em {w} {w} lắm",
		"em nhận hàng rồi, {product} {w} {w}",
		"nhờ shop kiểm tra giúp em tình trạng đơn {order}",
		"em cần xuất hóa đơn cho khoản {money} nhé",
		"số điện thoại người nhận là {phone} ạ",
		"giao giúp em trước {n} giờ chiều nhé",
	)
	staffTemplates = parseTemplates(
		"dạ chào {title}, {title} vui lòng cung cấp mã đơn hàng giúp em ạ",
		"dạ đơn hàng {order} sẽ được giao trong {n} ngày làm việc ạ",
		"dạ tổng giá trị đơn là {money} ạ, {title} chuyển khoản giúp em nhé",
		"dạ em đã ghi nhận khiếu nại của {title}, bộ phận chăm sóc khách hàng sẽ gọi lại qua số {phone} ạ",
		"dạ {title} liên hệ tổng đài {hotline} để được hỗ trợ ạ",
		"dạ phí vận chuyển về {place} là {money} ạ",
		"dạ bên em đã hoàn {money} vào tài khoản của {title} ạ",
		"dạ em xin lỗi {title} vì sự bất tiện, đơn {order} đã được giao lại ạ",
		"dạ {product} hiện còn hàng, giá {money} ạ",
		"dạ em kiểm tra thì giao dịch {money} đã thành công ạ",
		"dạ {title} cho em xin số điện thoại nhận hàng ạ",
		"dạ em cảm ơn {title} đã phản hồi, em sẽ chuyển bộ phận kho kiểm tra ạ",
		"dạ shipper sẽ liên hệ {title} qua số {phone} trước khi giao ạ",
		"dạ chương trình khuyến mãi giảm {money} cho đơn từ {money} trở lên ạ",
		"dạ đơn của {title} đang ở kho {place}, dự kiến giao ngày mai ạ",
		"dạ {title} chụp giúp em ảnh sản phẩm bị lỗi để em xử lý đổi trả ạ",
		"dạ hệ thống ghi nhận {title} đã thanh toán {money} lúc {n} giờ ạ",
		"dạ em đã hủy đơn {order} theo yêu cầu của {title} ạ",
		"dạ {w} {w} {w} ạ",
	)
	products = []string{
		"áo thun", "quần jean", "giày thể thao", "túi xách", "tai nghe bluetooth",
		"sạc dự phòng", "ốp lưng", "nồi chiên không dầu", "máy xay sinh tố",
		"kem chống nắng", "sữa rửa mặt", "bàn phím cơ", "chuột không dây",
		"đồng hồ thông minh", "váy liền", "balo laptop", "bình giữ nhiệt",
	}
	places = []string{
		"Hà Nội", "Sài Gòn", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Huế", "Nha Trang",
		"Biên Hòa", "Vũng Tàu", "Bình Dương", "Thủ Đức", "Gò Vấp", "Cầu Giấy", "Long Biên",
	}
)

// stripMarks removes every combining mark and writes đ as d, keeping case
// and punctuation, as a customer typing without diacritics would.
func stripMarks(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
