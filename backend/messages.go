package backend

import (
	"fmt"
	"strings"
)

// messages holds every message the station shows a person, by key, in each language.
// Keep them short, calm and actionable: say what is wrong and what to do next. Each
// area of the station adds its own in a messages_<area>.go file with addMessages.
var messages = map[string][2]string{ // key → {zh-CN, en}
	"internal":         {"系统内部错误，请联系工作人员。", "Internal error. Please ask a member of staff."},
	"not_found":        {"未找到该内容。", "Not found."},
	"bad_json":         {"请求格式不正确。", "The request is not valid JSON."},
	"body_too_large":   {"请求内容过大。", "The request is too large."},
	"method":           {"不支持该操作。", "This method is not allowed here."},
	"store_locked":     {"数据目录 %s 正在被另一个兵站程序使用，请先关闭它。", "The data folder %s is in use by another Bingzhan program. Close that one first."},
	"store_corrupt":    {"数据文件 %s 已损坏，请从备份恢复（见说明书“备份”一节）。", "The data file %s is damaged. Restore it from a backup (see the README, \"Backup\")."},
	"store_too_new":    {"数据文件版本 %d 高于本程序支持的版本 %d，请升级兵站程序。", "The data file has schema version %d, newer than this program's %d. Upgrade Bingzhan."},
	"service.unknown":  {"没有代码为“%s”的业务，请重新选择。", "There is no service with code \"%s\". Please choose again."},
	"service.name":     {"业务名称不能为空，且不超过 %d 个字。", "A service needs a name of at most %d characters."},
	"service.time":     {"每人办理时长应在 %d 分钟到 %d 分钟之间。", "The time per person must be between %d and %d minutes."},
	"service.disabled": {"“%s”业务今天暂停取号，请咨询工作人员。", "The service \"%s\" is not taking tickets today. Please ask staff."},
	"request_id":       {"请求编号缺失或格式不正确，请重新操作。", "The request id is missing or malformed. Please try again."},
	"ticket.not_found": {"未找到该排队票。", "No such ticket."},
	"ticket.day_full":  {"“%s”业务今天的号已取完，请咨询工作人员。", "All of today's numbers for \"%s\" are taken. Please ask staff."},
	"qr.malformed":     {"二维码内容无法识别，不是本系统的排队票。", "This QR code cannot be read as a Bingzhan ticket."},
	"qr.version":       {"二维码格式版本 %d 不受支持。", "QR format version %d is not supported."},
	"qr.bad_signature": {"二维码签名无效：该票可能被伪造或改动。", "The QR signature is not valid: the ticket may be forged or altered."},
	"qr.other_station": {"该票不是本服务站签发的。", "This ticket was not issued by this station."},
	"qr.size":          {"二维码尺寸应在 %d 到 %d 像素之间。", "The QR size must be between %d and %d pixels."},
	"id.empty":         {"请输入身份证号码。", "Please enter the ID number."},
	"id.length":        {"身份证号码应为 18 位，您输入了 %d 位。", "An ID number has 18 characters; you entered %d."},
	"id.chars":         {"身份证号码前 17 位只能是数字，最后一位是数字或 X。", "The first 17 characters must be digits; the last is a digit or X."},
	"id.area":          {"身份证号码的前 6 位不对，请对着身份证核对。", "The first 6 digits are not right. Please check them against the card."},
	"id.birth":         {"身份证号码的第 7 到 14 位是出生日期，这个日期不对，请核对。", "Digits 7 to 14 are the date of birth, and that date is not right. Please check them."},
	"id.birth_future":  {"身份证号码中的出生日期晚于今天，请检查。", "The birth date in the ID number is in the future. Please check it."},
	"id.checksum":      {"身份证号码的最后一位不对，可能有一位输错了，请对着身份证逐位核对。", "The last character is not right: one digit is probably wrong. Please check each digit against the card."},
	"phone.invalid":    {"手机号码应为 1 开头的 11 位数字。", "A mobile number has 11 digits and starts with 1."},
	"printer.none":     {"本机未连接打印机，请记下号码或拍照。", "No printer is connected. Please note the number or take a photo."},
	"printer.offline":  {"打印机无法连接，请记下号码，或请工作人员检查打印机。", "The printer cannot be reached. Please note the number, or ask staff to check the printer."},
	"printer.paper":    {"打印机缺纸，请记下号码，并告知工作人员。", "The printer is out of paper. Please note the number and tell staff."},
	"printer.cover":    {"打印机盖未关好，请告知工作人员。", "The printer cover is open. Please tell staff."},
	"printer.error":    {"打印失败，请记下号码，或请工作人员检查打印机。", "Printing failed. Please note the number, or ask staff to check the printer."},
	"printer.address":  {"打印机地址“%s”无法识别，应为 tcp://主机:端口 或设备路径。", "The printer address \"%s\" is not valid: use tcp://host:port or a device path."},
}

func init() {
	// What a person typed or scanned at the kiosk or the counter, refused by a rule.
	addKinds(EINVALID, KindRejected, "request_id", "service.unknown",
		"id.empty", "id.length", "id.chars", "id.area", "id.birth", "id.birth_future", "id.checksum",
		"phone.invalid", "qr.malformed", "qr.version", "qr.bad_signature", "qr.other_station")
}

// kinds gives the messages that always mean one kind of error their kind, by key: see
// Errorf. A key's kind applies only with the code it is declared for.
var kinds = map[string]struct {
	code string
	kind Kind
}{}

// addKinds declares that keys, made with code, are errors of kind k. Declaring a key
// without a message, or twice, is a programming error.
func addKinds(code string, k Kind, keys ...string) {
	for _, key := range keys {
		if _, ok := messages[key]; !ok {
			panic("kind for a key without a message: " + key)
		}
		if _, dup := kinds[key]; dup {
			panic("kind declared twice: " + key)
		}
		kinds[key] = struct {
			code string
			kind Kind
		}{code, k}
	}
}

// addMessages adds an area's messages; a key defined twice is a programming error.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("message key defined twice: " + k)
		}
		messages[k] = v
	}
}

// Translate returns the message for key in lang, formatted with args. Unknown keys fall
// back to the generic internal message so a missing translation never shows a raw key.
func Translate(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		m = messages["internal"]
		args = nil
	}
	s := m[0]
	if IsEnglish(lang) {
		s = m[1]
	} else if mn, ok := mongolian[key]; ok && IsMongolian(lang) {
		s = mn
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// IsEnglish reports whether lang asks for English. Chinese is the default for anything
// else, because the kiosk's first users read Chinese.
func IsEnglish(lang string) bool {
	return strings.HasPrefix(strings.ToLower(lang), "en")
}
