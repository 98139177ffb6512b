package searchbench

import (
	"math/rand/v2"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"chatseal/index"
)

// headWords are the words of customer-care chat, most frequent first. A
// word may have several syllables ("giao hàng"). The generator picks whole
// words by Zipf rank, so the syllables of a two-syllable word always come
// together. A syllable shared by several words ("hàng" in "giao hàng",
// "khách hàng", "đơn hàng") is more frequent than any one of them.
var headWords = strings.Fields(`
ạ em anh chị không có đã được cho của là và thì mình ơi nhé rồi shop
dạ vâng này đơn_hàng giao_hàng với lại bên ở khi nào gì sao vậy nha
còn cũng chưa đang sẽ ra vào lên xem giúp hỗ_trợ kiểm_tra cảm_ơn
xin_lỗi khách_hàng sản_phẩm tiền chuyển_khoản tài_khoản thanh_toán
hoàn_tiền khiếu_nại phí mã số ngày hôm_nay hôm_qua ngày_mai tuần tháng
giờ lúc sáng chiều tối bao_giờ bao_lâu nhận hàng đặt hủy đổi trả
bảo_hành giao nhanh chậm muốn cần phải nên hay hoặc nhưng vì nếu để
làm biết thấy nói hỏi gọi nhắn_tin liên_hệ địa_chỉ điện_thoại
xác_nhận thông_tin vui_lòng chờ đợi một_chút ngay luôn nữa thôi quá
lắm rất hơi vẫn mới vừa đúng sai lỗi hỏng bể vỡ thiếu dư mất
nhân_viên cửa_hàng công_ty ngân_hàng thẻ tín_dụng giao_dịch hóa_đơn
phản_ánh tư_vấn dịch_vụ giá khuyến_mãi giảm_giá miễn_phí voucher
đổi_trả nhận_hàng trả_hàng vận_chuyển bưu_điện kho đóng_gói hộp
màu size áo quần giày túi điện_thoại_di_động tai_nghe sạc ốp
bao_nhiêu mấy hai ba bốn năm sáu bảy tám chín mười trăm nghìn
kiện hàng_hóa mẫu loại chất_lượng đẹp xấu tốt ổn được_không
mã_OTP mật_khẩu đăng_nhập ứng_dụng trang web đường_link tin_nhắn
tổng_đài hotline bộ_phận chăm_sóc quản_lý trưởng_ca ca_trực
trừ_tiền cộng_tiền số_dư hạn_mức lãi_suất trả_góp hợp_đồng vay
tạm_ngưng khóa mở kích_hoạt cập_nhật thay_đổi đăng_ký hủy_bỏ
hôm_trước tuần_trước tuần_sau tháng_trước tháng_sau cuối_tuần
quận huyện phường xã đường tỉnh thành_phố Hà_Nội Sài_Gòn Đà_Nẵng
Cần_Thơ Hải_Phòng Huế Nha_Trang Biên_Hòa Vũng_Tàu Bình_Dương
người nhà văn_phòng cơ_quan trường ký_túc_xá chung_cư tầng phòng
shipper tài_xế giao_lại giao_trễ giao_nhầm thiếu_hàng nhầm_hàng
rách móp ướt bẩn cũ mới_tinh chính_hãng hàng_giả hàng_thật
đánh_giá sao phản_hồi trả_lời im_lặng chặn báo_cáo tố_cáo
bồi_thường đền_bù hoàn_lại hoàn_phí phí_ship phí_vận_chuyển
thu_hộ COD tiền_mặt ví_điện_tử quét_mã mã_QR số_tài_khoản
chủ_tài_khoản nội_dung chuyển_nhầm chuyển_thiếu chuyển_dư
bực_mình thất_vọng hài_lòng tuyệt_vời chán tệ kém uy_tín
mong sớm gấp khẩn gấp_gáp lâu_quá đợi_mãi mãi chờ_lâu
chương_trình ưu_đãi quà_tặng tích_điểm thành_viên hạng
đơn_mới đơn_cũ mã_đơn mã_vận_đơn vận_đơn kiện_hàng lô_hàng
xuất_kho nhập_kho tồn_kho hết_hàng còn_hàng đặt_trước
chụp_ảnh hình video clip gửi_ảnh bằng_chứng biên_lai
cam_kết đảm_bảo chắc_chắn có_lẽ hình_như chắc thật_sự
nhắc nhở lần_nữa lần_trước lần_sau nhiều_lần mấy_lần
cô chú bác ông bà con cháu bạn_bè gia_đình vợ chồng
`)

// compoundSeparator joins the syllables of a word in headWords, so that
// strings.Fields keeps them together. It is replaced by a space.
const compoundSeparator = "_"

// Syllable parts for tailWords. A rhyme marks its tone-bearing vowel with
// "*"; a rhyme that ends in c, ch, p or t takes only the sắc or nặng tone.
var (
	tailOnsets = strings.Fields("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x")
	tailRhymes = strings.Fields(`
*a *ai *ao *au *ay *an *ang *anh *ac *ach *am *ap *at *ăn *ăng *ăm *ăc *ăt
*âu *ây *ân *âng *âm *ât *âc *âp *e *eo *en *em *et *ec *ê *êu *ên *ênh *êm
*êt *êch *i *ia *iu *in *inh *im *it *ich *ip i*ên i*êu i*êm i*êt i*êng
*o *oi *on *ong *om *ot *oc *op o*a o*ai o*an o*ang o*anh o*at o*ac o*ăn
o*e *ô *ôi *ôn *ông *ôm *ôt *ôc *ơ *ơi *ơn *ơm *ơt *ơp *u *ua *ui *un
*ung *um *ut *uc *up u*ân u*ât u*ôi u*ông u*ôn u*ôc u*y uy*ên uy*êt *ư
*ưa *ưi *ưng *ưc *ưt ư*ơi ư*ơn ư*ơng ư*ơc ư*ơt ư*ơu *y`)
	// tones are the combining marks of the six tones; "" is the level tone.
	tones = []string{"", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}
)

// tailSize is the number of generated syllables after headWords.
const tailSize = 3200

// vocabulary is the word list of the corpus, in Zipf rank order: headWords
// then tailSize syllables generated from tailOnsets, tailRhymes and tones.
type vocabulary struct {
	words []string
	// compounds lists the words of two syllables, by rank.
	compounds []string
	// spelling maps the folded form of each syllable to the spelling of its
	// lowest-ranked (most frequent) occurrence in words.
	spelling map[string]string
}

// loadVocabulary builds the vocabulary once. It does not depend on the
// corpus seed: every corpus draws from the same words.
var loadVocabulary = sync.OnceValue(func() *vocabulary {
	v := &vocabulary{spelling: make(map[string]string)}
	seen := make(map[string]bool)
	for _, w := range headWords {
		w = strings.ReplaceAll(w, compoundSeparator, " ")
		v.add(w, seen)
	}
	for _, s := range tailSyllables() {
		v.add(s, seen)
	}
	return v
})

func (v *vocabulary) add(word string, seen map[string]bool) {
	if seen[word] {
		return
	}
	seen[word] = true
	v.words = append(v.words, word)
	syllables := strings.Fields(word)
	if len(syllables) == 2 {
		v.compounds = append(v.compounds, word)
	}
	for _, s := range syllables {
		folded := index.Fold(s)
		if _, ok := v.spelling[folded]; !ok {
			v.spelling[folded] = strings.ToLower(s)
		}
	}
}

// tailSyllables returns tailSize syllables that follow Vietnamese spelling:
// k, gh and ngh before e, ê and i, and c, g and ng elsewhere. Their order
// depends on a fixed seed only.
func tailSyllables() []string {
	var all []string
	for _, onset := range tailOnsets {
		for _, rhyme := range tailRhymes {
			if !spellingAllowed(onset, rhyme) {
				continue
			}
			for _, tone := range tones {
				if stopRhyme(rhyme) && tone != "\u0301" && tone != "\u0323" {
					continue
				}
				all = append(all, norm.NFC.String(onset+placeTone(rhyme, tone)))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(tailSize, len(all))]
}

// placeTone writes rhyme with tone after its marked vowel.
func placeTone(rhyme, tone string) string {
	i := strings.IndexByte(rhyme, '*')
	rest := rhyme[i+1:]
	// The marked vowel is the first rune of rest.
	for j := range rest {
		if j == 0 {
			continue
		}
		return rhyme[:i] + rest[:j] + tone + rest[j:]
	}
	return rhyme[:i] + rest + tone
}

func stopRhyme(rhyme string) bool {
	for _, end := range []string{"c", "ch", "p", "t"} {
		if strings.HasSuffix(rhyme, end) {
			return true
		}
	}
	return false
}

func spellingAllowed(onset, rhyme string) bool {
	bare := strings.Replace(rhyme, "*", "", 1)
	front := strings.HasPrefix(bare, "e") || strings.HasPrefix(bare, "ê") || strings.HasPrefix(bare, "i")
	switch onset {
	case "k", "gh", "ngh":
		return front
	case "c", "g", "ng":
		return !front && !strings.HasPrefix(bare, "y")
	case "qu":
		return !strings.HasPrefix(bare, "u") && !strings.HasPrefix(bare, "o") && !strings.HasPrefix(bare, "ư")
	case "gi":
		return !strings.HasPrefix(bare, "i")
	}
	return true
}
