package backend

func init() {
	addMessages(map[string][2]string{
		"sync.dead_not_found":  {"没有序号为 %s 的未同步记录。", "There is no dead letter with sequence %s."},
		"sync.discard_reason":  {"请写明放弃该记录的原因（不超过 200 字，不要写姓名等个人信息）。", "Please give a reason for discarding it (at most 200 characters, naming no one)."},
		"sync.unreachable":     {"无法连接县中心（%s）。记录已安全保存在本机，联网后会自动上传。", "The county centre cannot be reached (%s). Records are kept safely here and will be sent when the link is back."},
		"sync.timeout":         {"县中心响应超时。记录已安全保存在本机，稍后会自动重试。", "The county centre did not answer in time. Records are kept safely here; sending will be retried."},
		"sync.busy":            {"县中心繁忙，稍后会自动重试。", "The county centre is busy; sending will be retried."},
		"sync.unauthorized":    {"县中心不认可本站的注册信息，请向县中心索取新的注册文件，并用 bingzhan enrol 重新注册。", "The county centre does not accept this station's enrolment. Ask the county for a new enrolment file and run bingzhan enrol again."},
		"sync.cert":            {"县中心的证书与注册文件不符，已停止上传以防泄密。请联系县中心核实。", "The county centre's certificate does not match the enrolment file, so nothing was sent. Please check with the county."},
		"sync.county_error":    {"县中心报告错误：%s。稍后会自动重试。", "The county centre reported an error: %s. Sending will be retried."},
		"sync.enrol_file":      {"注册文件无法使用：%s。", "The enrolment file cannot be used: %s."},
		"sync.reference_apply": {"县中心下发的“%s”无法应用：%s。", "The county's %s could not be applied: %s."},
	})
}
