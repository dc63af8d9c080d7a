package backend

func init() {
	addMessages(map[string][2]string{
		"rating.level":        {"请在五个评价中选择一个。", "Please choose one of the five ratings."},
		"rating.via":          {"评价来源只能是窗口屏或自助机。", "A rating comes from the counter's screen or the kiosk."},
		"rating.reasons_good": {"只有“不满意”和“非常不满意”可以选择原因。", "Reasons go only with \"dissatisfied\" and \"very dissatisfied\"."},
		"rating.reason":       {"原因“%s”不在可选范围内，请重新选择。", "The reason \"%s\" is not one of those offered. Please choose again."},
		"rating.past_day":     {"%s 不是今天的号，不能再评价。", "%s is not from today, so it can no longer be rated."},
		"rating.not_done":     {"%s 还没有办完，办完后再评价。", "%s has not been served yet. Please rate it afterwards."},
		"rating.done":         {"%s 已经评价过了，谢谢您。", "%s has been rated already. Thank you."},
		"rating.number":       {"请输入票上的号码，例如 B017。", "Please enter the number on the ticket, such as B017."},
		"rating.no_ticket":    {"今天没有 %s 号，请核对票上的号码。", "There is no number %s today. Please check the ticket."},
		"rating.counter":      {"窗口号应为 1 到 %d。", "A counter number is 1 to %d."},

		"case.action":          {"不支持的操作“%s”。", "Unknown step \"%s\"."},
		"case.not_found":       {"没有这条差评记录。", "There is no such case."},
		"case.closed":          {"%s 的差评已办结，不能再改动。", "The case of %s is closed and cannot change."},
		"case.cannot_visit":    {"%s 的差评现在不能登记回访：正在申诉或已整改。", "The case of %s cannot take a call-back now: it is under appeal or already corrected."},
		"case.cannot_rectify":  {"%s 的差评请先登记回访，再填写整改情况。", "Record the call-back for %s before the correction."},
		"case.cannot_close":    {"%s 的差评请先填写整改情况，再办结。", "Record the correction for %s before closing the case."},
		"case.cannot_appeal":   {"%s 的差评已整改或正在申诉，不能申诉。", "The case of %s is corrected or under appeal, so it cannot be appealed."},
		"case.cannot_uphold":   {"%s 的差评没有待裁定的申诉。", "The case of %s has no appeal to decide."},
		"case.cannot_reject":   {"%s 的差评没有待裁定的申诉。", "The case of %s has no appeal to decide."},
		"case.appealed_before": {"这条差评已经申诉过一次，不能再申诉。", "This case has been appealed once already and cannot be appealed again."},
		"case.reached":         {"请选择回访时是否联系上本人。", "Please say whether the call-back reached the person."},
		"case.note_visit":      {"请写下回访情况：对方说了什么。", "Please write what the call-back found: what the person said."},
		"case.note_rectify":    {"请写下整改情况。", "Please write what was corrected."},
		"case.note_appeal":     {"请写下申诉理由。", "Please write the reason for the appeal."},
		"case.note_long":       {"说明最多 %d 个字。", "A note has at most %d characters."},
		"case.admin":           {"回访、整改、办结和裁定申诉需要管理员账户。", "Call-backs, corrections, closing and deciding appeals need an admin account."},

		"holidays.json":            {"节假日文件无法读取：%s。", "The holiday file cannot be read: %s."},
		"holidays.format":          {"节假日文件格式“%s”不对，应为“%s”。", "The holiday file's format is \"%s\"; it should be \"%s\"."},
		"holidays.empty":           {"节假日文件缺少版本或年份。", "The holiday file has no version or no years."},
		"holidays.year":            {"节假日文件中的年份 %d 不对或重复。", "The year %d in the holiday file is wrong or given twice."},
		"holidays.date":            {"节假日文件中的日期“%s”不对或不在 %d 年内。", "The date \"%s\" in the holiday file is not valid or not in %d."},
		"holidays.range":           {"节假日文件中“%s”的放假日期 %s 至 %s 不对。", "The holiday \"%s\" from %s to %s in the holiday file is not valid."},
		"holidays.workday_weekday": {"节假日文件中的调休上班日 %s 不是周六或周日。", "The make-up working day %s in the holiday file is not a Saturday or Sunday."},
		"holidays.workday_off":     {"节假日文件中的调休上班日 %s 同时是放假日。", "The make-up working day %s in the holiday file is also a holiday."},
	})
	addKinds(EINVALID, KindRejected, "rating.number")
}
