package backend

func init() {
	addMessages(map[string][2]string{
		"staff.name":        {"姓名应为 1 到 32 个字符。", "A name has 1 to 32 characters."},
		"staff.role":        {"角色只能是 staff（工作人员）或 admin（管理员）。", "The role must be staff or admin."},
		"staff.pin_length":  {"PIN 应为 %d 到 %d 位数字。", "A PIN has %d to %d digits."},
		"staff.pin_weak":    {"PIN 太容易被猜到（如 111111、123456），请换一个。", "This PIN is too easy to guess (like 111111 or 123456). Please choose another."},
		"staff.pin_twice":   {"两次输入的 PIN 不一致，请重新设置。", "The two PINs differ. Please set it again."},
		"staff.exists":      {"已有名为“%s”的账户。", "There is already an account named \"%s\"."},
		"staff.not_found":   {"没有名为“%s”的账户。", "There is no account named \"%s\"."},
		"staff.wrong_pin":   {"姓名或 PIN 不正确，请重试。连续输错 %d 次将锁定 %d 分钟。", "Wrong name or PIN. Please try again. After %d wrong tries in a row the account is locked for %d minutes."},
		"staff.locked":      {"连续输错次数过多，已锁定，请 %d 分钟后再试，或请管理员重置 PIN。", "Too many wrong tries: locked. Try again in %d minutes, or ask an admin to reset the PIN."},
		"auth.required":     {"请先登录工作人员账户。", "Please log in with a staff account first."},
		"auth.expired":      {"登录已过期，请重新登录。", "Your login has expired. Please log in again."},
		"auth.admin":        {"此操作需要管理员账户。", "This needs an admin account."},
		"staff.names_kiosk": {"工作人员名单只在自助机上显示，请输入姓名。", "The list of staff is shown only on the kiosk itself. Please type your name."},
		"kiosk.not_window":  {"当前不是自助机窗口模式，无需退出。", "This is not the kiosk window, so there is nothing to leave."},

		"setup.done":       {"本站已有工作人员账户，不能再这样设置管理员。请用已有的管理员账户登录，在“站务设置”中添加账户。", "This station already has staff accounts, so no admin can be set up this way. Log in with an existing admin account and add accounts in Station settings."},
		"setup.kiosk_only": {"第一位管理员只能在自助机上设置：请在自助机的首页长按站名 3 秒。", "The first admin can only be set up at the kiosk itself: on the kiosk's home screen, hold the station name for 3 seconds."},

		"staff.remove_self": {"不能删除自己正在使用的账户，请让另一位管理员操作。", "You cannot remove the account you are logged in with. Ask another admin to do it."},
		"staff.role_self":   {"不能更改自己的角色，请让另一位管理员操作。", "You cannot change your own role. Ask another admin to do it."},
		"staff.last_admin":  {"“%s”是本站唯一的管理员，请先把另一个账户设为管理员。", "\"%s\" is the station's only admin. Make another account an admin first."},

		"counter.number":    {"窗口号应为 1 到 %d。", "A counter number is 1 to %d."},
		"counter.name":      {"窗口名称最多 20 个字。", "A counter name has at most 20 characters."},
		"counter.services":  {"每个窗口至少要办理一项业务。", "Each counter must serve at least one service."},
		"counter.not_found": {"没有 %d 号窗口。", "There is no counter %d."},
		"counter.busy":      {"%d 号窗口正在处理 %s，请先办结、过号或挂起。", "Counter %d still has %s. Finish it, mark it no-show or put it on hold first."},
		"counter.in_use":    {"%d 号窗口正在处理 %s，不能删除。", "Counter %d still has %s and cannot be removed."},
		"counter.last":      {"至少要保留一个窗口。", "At least one counter must remain."},

		"call.empty":           {"%d 号窗口办理的业务目前没有人等候。", "Nobody is waiting for the services of counter %d."},
		"call.action":          {"不支持的操作“%s”。", "Unknown action \"%s\"."},
		"call.past_day":        {"%s 是之前日期的票，已失效。", "%s is from an earlier day and is no longer valid."},
		"call.cannot_call":     {"%s 不在等候中，不能叫号。", "%s is not waiting, so it cannot be called."},
		"call.cannot_recall":   {"%s 不在叫号状态，不能重呼。", "%s is not being called, so it cannot be called again."},
		"call.cannot_start":    {"%s 不在叫号状态，不能开始办理。", "%s has not been called, so service cannot start."},
		"call.cannot_hold":     {"%s 不在叫号或办理中，不能挂起。", "%s is not called or being served, so it cannot be put on hold."},
		"call.cannot_resume":   {"%s 没有挂起，不能恢复。", "%s is not on hold, so it cannot be resumed."},
		"call.cannot_no_show":  {"%s 不在叫号状态，不能过号。", "%s is not being called, so it cannot be marked no-show."},
		"call.cannot_transfer": {"%s 已结束，不能转办。", "%s is closed and cannot be transferred."},
		"call.cannot_finish":   {"%s 不在办理中，不能办结。", "%s is not being served, so it cannot be finished."},
		"call.cannot_expire":   {"%s 已结束。", "%s is already closed."},
		"call.same_service":    {"%s 已经在该业务的队列中。", "%s is already in that service's queue."},
		"call.outcome_long":    {"办理结果最多 %d 个字。", "The outcome note has at most %d characters."},
		"call.person_open":     {"此人已有该业务的排队票，不能再转入。", "This person already has a ticket for that service, so this one cannot be moved there."},

		"stats.date":   {"日期应为 YYYY-MM-DD 格式，例如 2026-11-23。", "The date must look like 2026-11-23."},
		"stats.format": {"导出格式只能是 csv 或 xlsx。", "The export format must be csv or xlsx."},
	})
	// Locked for a while after too many wrong PINs; the same login works once it ends.
	addKinds(EUNAUTHORIZED, KindTooMany, "staff.locked")
}
