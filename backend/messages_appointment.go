package backend

func init() {
	addMessages(map[string][2]string{
		"appointment.date":            {"请选择预约日期。", "Please choose the date of the appointment."},
		"appointment.time":            {"请选择预约时间，例如 09:30。", "Please choose the time of the appointment, such as 09:30."},
		"appointment.too_far":         {"最多只能预约 %d 天以内。", "An appointment can be at most %d days ahead."},
		"appointment.past":            {"这个时间已经过了，请另选时间。", "That time has passed. Please choose another."},
		"appointment.who":             {"请填写身份证号或手机号，来时凭它签到。", "Please give the ID number or the phone number: the person checks in with it."},
		"appointment.check_in_by":     {"请输入身份证号或预约码。", "Please enter the ID number or the appointment code."},
		"appointment.code":            {"预约码是 6 位数字，请核对。", "An appointment code has six digits. Please check it."},
		"appointment.not_found":       {"没有这条预约。", "There is no such appointment."},
		"appointment.none_today":      {"没有查到您今天的预约。请到窗口问一下，或直接取号。", "No appointment today was found for you. Please ask at the counter, or take a number."},
		"appointment.served_today":    {"您今天 %s 的预约已经办结。如还有别的事，请直接取号。", "Your appointment at %s today has been served. For anything else, please take a number."},
		"appointment.cancelled_today": {"您今天 %s 的预约已经取消了。请到窗口问一下，或直接取号。", "Your appointment at %s today was cancelled. Please ask at the counter, or take a number."},
		"appointment.early":           {"您预约的是 %s，请在 %s 以后再来签到。", "Your appointment is at %s. Please check in from %s."},
		"appointment.early_day":       {"您的预约在 %s %s，请当天再来签到。", "Your appointment is on %s at %s. Please check in on that day."},
		"appointment.cannot_cancel":   {"%s 的预约已签到或已结束，不能取消。", "The %s appointment has been checked in or has ended, so it cannot be cancelled."},
		"appointment.cannot_miss":     {"%s 的预约已签到或已结束。", "The %s appointment has been checked in or has ended."},
		"appointment.cannot_check_in": {"%s 的预约已签到或已结束。", "The %s appointment has been checked in or has ended."},
		"appointment.cannot_serve":    {"%s 的预约还没有签到。", "The %s appointment has not been checked in."},
		"appointment.codes_full":      {"预约码已用完，请稍后再试。", "No appointment code is free. Please try again later."},
		"appointment.request_id":      {"这个请求号已用于另一条预约。", "This request id was used for another appointment."},
		"appointment.county_version":  {"县中心预约的版本号缺失或格式不对。", "The version of the county's bookings is missing or malformed."},
		"appointment.county_record":   {"县中心预约第 %d 条格式不对，未更换。", "County booking %d is malformed; nothing was changed."},
		"appointment.county_bad":      {"县中心预约第 %d 条有误，未更换：%s", "County booking %d is not valid; nothing was changed: %s"},
		"appointment.county_twice":    {"县中心预约第 %d 条与前面一条编号相同，未更换。", "County booking %d has the id of an earlier one; nothing was changed."},
	})
}
