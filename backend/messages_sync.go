package backend

func init() {
	addMessages(map[string][2]string{
		"sync.dead_not_found":  {"没有序号为 %s 的未同步记录。", "There is no dead letter with sequence %s."},
		"sync.discard_reason":  {"请写明放弃该记录的原因（不超过 200 字，不要写姓名等个人信息）。", "Please give a reason for discarding it (at most 200 characters, naming no one)."},
		"sync.unreachable":     {"无法连接县中心（%s）。记录已安全保存在本机，联网后会自动上传。", "The county centre cannot be reached (%s). Records are kept safely here and will be sent when the link is back."},
		"sync.timeout":         {"县中心响应超时。记录已安全保存在本机，稍后会自动重试。", "The county centre did not answer in time. Records are kept safely here; sending will be retried."},
		"sync.busy":            {"县中心繁忙，稍后会自动重试。", "The county centre is busy; sending will be retried."},
		"sync.unauthorized":    {"县中心不认可本站的注册信息，请向县中心索取新的注册文件，由管理员在“站务设置 → 县中心”中重新接入。", "The county centre does not accept this station's enrolment. Ask the county for a new enrolment file; an admin applies it in Station settings → County."},
		"sync.cert":            {"县中心的证书与注册文件不符，已停止上传以防泄密。请联系县中心核实。", "The county centre's certificate does not match the enrolment file, so nothing was sent. Please check with the county."},
		"sync.county_error":    {"县中心出错（%s），稍后会自动重试。记录已安全保存在本机。", "The county centre had an error (%s). Sending will be retried; records are kept safely here."},
		"sync.county_refused":  {"县中心拒收本站的上传（%s）。记录已安全保存在本机。请升级兵站程序，或联系县中心。", "The county centre refused this station's upload (%s). Records are kept safely here. Upgrade Bingzhan or contact the county."},
		"sync.enrolment_taken": {"这份注册文件已被另一台服务站使用。每个服务站要用自己的注册文件：请向县中心索取新文件，由管理员在“站务设置 → 县中心”中重新接入。", "This enrolment file is already used by another station. Each station needs its own: ask the county for a new file; an admin applies it in Station settings → County."},
		"sync.bad_answer":      {"县中心的答复无法识别，稍后会自动重试。如一直出现，请升级兵站程序或联系县中心。", "The county centre's answer could not be understood; sending will be retried. If this persists, upgrade Bingzhan or contact the county."},
		"sync.dead_invalid":    {"县中心认为这条记录格式有误，未予接收（%s）。请联系技术支持；确认不需要后可放弃，并写明原因。", "The county found this record malformed and did not store it (%s). Contact support; if it is not needed, discard it with a reason."},
		"sync.dead_conflict":   {"县中心已有另一条记录占用这个序号或编号（本站可能从旧备份恢复过）。请先点“重新上传”：新版县中心会让本站自动换号重传。若仍被退回，请联系县中心升级后再重新上传，不要放弃。", "The county already holds another record under this number (the station may have been restored from an old backup). Press Send again first: an up-to-date county lets the station renumber and resend it. If it comes back again, ask the county to upgrade, then send it again; do not discard it."},
		"sync.dead_other":      {"县中心未接收这条记录（代码 %s）。请联系技术支持，核实后重试或放弃。", "The county did not store this record (code %s). Contact support, then retry or discard it."},
		"sync.enrol_file":      {"注册文件无法使用（%s）。请向县中心索取新的注册文件。", "The enrolment file cannot be used (%s). Ask the county for a new enrolment file."},
		"sync.enrol_not_file":  {"这不是县中心的注册文件。请选择县中心为本站生成的注册文件（以 .json 结尾，如“东风镇.json”）。", "This is not an enrolment file from the county. Choose the file the county made for this station (it ends in .json, e.g. dongfeng.json)."},
		"sync.enrol_newer":     {"这份注册文件来自更新版本的县中心程序（格式 %s），本站程序读不了。请先升级本站的兵站程序。", "This enrolment file comes from a newer county program (format %s) than this station's can read. Upgrade Bingzhan on this station first."},
		"sync.reference_apply": {"县中心下发的“%s”无法应用：%s。", "The county's %s could not be applied: %s."},
	})
}
