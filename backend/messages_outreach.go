package backend

func init() {
	addMessages(map[string][2]string{
		"outreach.household_id":              {"户编号格式不对，应像 H-0001。", "A household id looks like H-0001."},
		"outreach.address":                   {"地址太长（最多 200 字）。", "The address is too long (at most 200 characters)."},
		"outreach.address_without_household": {"有地址的人也要有户编号。", "A person with an address needs a household id too."},
		"outreach.tag":                       {"情况标记 %s 格式不对。", "The circumstance tag %s is malformed."},
		"outreach.plaque_date":               {"光荣牌悬挂日期格式不对，应像 2024-07-20。", "The plaque date is malformed; it looks like 2024-07-20."},
		"outreach.honour":                    {"喜报 %s 的编号、等级或收到日期不对。", "Honour %s has a bad id, award or date received."},
		"outreach.due_kind":                  {"请选择要看的名单：光荣牌、节日走访或喜报。", "Please choose a list: plaques, festival visits or honours."},
		"outreach.date":                      {"请填写日期，例如 2027-01-20。", "Please give the date, such as 2027-01-20."},
		"outreach.future":                    {"日期不能晚于今天。", "The date cannot be after today."},
		"outreach.kind":                      {"请选择做了什么：走访、电话、挂牌、送喜报或回访。", "Please choose what was done: a visit, a call, a plaque, an honour or a follow-up."},
		"outreach.follow_up":                 {"回访日期要在这次之后，两年以内。", "The follow-up date must come after this one, within two years."},
		"outreach.team":                      {"请填写去的人（1 到 %d 人，每人姓名最多 20 字）。", "Please name who went (1 to %d people, each name at most 20 characters)."},
		"outreach.money":                     {"慰问金要在 0 到 %d 元之间。", "The money given must be between 0 and %d yuan."},
		"outreach.items":                     {"物品写得太长了。", "The items given are written too long."},
		"outreach.note":                      {"情况说明写得太长了。", "The note is too long."},
		"outreach.finding":                   {"有一项了解到的情况不认识，请重新选择。", "One of the findings is not known; please choose again."},
		"outreach.honour_missing":            {"送喜报要选是哪一份喜报。", "An honour delivery needs the honour it delivers."},
		"outreach.honour_kind":               {"只有送喜报才选喜报。", "Only an honour delivery names an honour."},
		"outreach.campaign":                  {"活动编号格式不对。", "The campaign id is malformed."},
		"outreach.photo":                     {"照片要是 JPEG，最大 %d KB。", "The photo must be a JPEG of at most %d KB."},
		"outreach.signature":                 {"签名图像不对（PNG，最大 %d KB），请重新签名。", "The signature image is not valid (PNG, at most %d KB); please sign again."},
		"outreach.stale":                     {"这条记录刚被别人改过，请刷新后再改。", "Someone changed this entry just now. Please reload it and try again."},
		"outreach.no_household":              {"登记册里没有户 %s。", "The registry has no household %s."},
		"outreach.no_honour":                 {"户 %s 没有这份喜报：%s。", "Household %s has no honour %s."},
		"outreach.delivered":                 {"喜报 %s 已经送达过了。", "Honour %s has been delivered already."},
		"outreach.not_found":                 {"没有这条走访记录。", "There is no such outreach entry."},
		"outreach.request_id":                {"这个请求号已用于另一条记录。", "This request id was used for another entry."},
	})
}

func init() {
	addMessages(map[string][2]string{
		"outreach.campaign_name":   {"请给活动起个名字（最多 %d 字），例如“2027年春节走访慰问”。", "Please name the campaign (at most %d characters), such as 2027 Spring Festival visits."},
		"outreach.campaign_dates":  {"活动的起止日期不对：结束不能早于开始，最长 %d 天，开始日期在前后一年内。", "The campaign's dates are wrong: the end cannot come before the start, it lasts at most %d days, and starts within a year of today."},
		"outreach.campaign_size":   {"一次活动最多 %d 户。", "A campaign has at most %d households."},
		"outreach.not_in_campaign": {"户 %s 不在这次活动里。", "Household %s is not in this campaign."},
		"outreach.not_reached":     {"请选择没走访到的原因。", "Please choose why the household was not reached."},
		"outreach.no_campaign":     {"没有这次活动。", "There is no such campaign."},
	})
}
