package backend

// Messages of the self-service lookup: the wizard's questions and answers, card
// statuses with their next steps, and the errors a person or the county may meet.
func init() {
	addMessages(map[string][2]string{
		// Errors in requests from the kiosk.
		"lookup.no_category":  {"请至少选择一项身份。", "Please choose at least one category."},
		"lookup.category":     {"没有“%s”这一人员类别，请重新选择。", "There is no category \"%s\". Please choose again."},
		"lookup.grade":        {"伤残等级应为一级到十级。", "The disability grade must be 1 to 10."},
		"lookup.cause":        {"致残原因应为因战、因公或因病。", "The cause of disability must be war, duty or illness."},
		"lookup.sex":          {"性别请选择男或女。", "Please choose male or female."},
		"lookup.residence":    {"居住情况请选择农村、城镇无工作单位或城镇有工作单位。", "Please choose rural, urban without an employer, or urban with an employer."},
		"lookup.relation":     {"与军人的关系请选择父母、配偶、子女或受其供养的兄弟姐妹。", "Please choose parent, spouse, child or dependent sibling."},
		"lookup.birth_date":   {"出生年份不对，请输入 4 位年份，例如 1950。", "The year of birth is not valid: enter 4 digits, for example 1950."},
		"lookup.birth_future": {"出生日期晚于今天，请检查。", "The birth date is after today. Please check it."},
		"lookup.last4":        {"请输入登记手机号码的后 4 位数字。", "Please enter the last 4 digits of the phone number on record."},
		"lookup.no_match":     {"没有查到相符的记录：身份证号码或手机后 4 位不对，或者您还没有登记。还可以再试 %d 次。", "No matching record: the ID number or the last 4 phone digits do not match, or you are not registered yet. %d attempts left."},
		"lookup.locked":       {"请到窗口由工作人员为您查询。", "Please go to the counter: a member of staff will look this up for you."},
		"lookup.unavailable":  {"本机暂不能查询优待信息，请到窗口咨询。", "Lookups are not available on this machine. Please ask at the counter."},

		// Errors in catalog and registry data from the county (shown to staff).
		"lookup.catalog_invalid":    {"优待目录数据有误，未更换：%s", "The entitlement catalog is not valid and was not applied: %s"},
		"lookup.catalog_version":    {"优待目录版本不一致：应为 %s，文件中为 %s。", "Catalog version mismatch: expected %s, the file says %s."},
		"lookup.registry_version":   {"名册版本号缺失或格式不对。", "The registry version is missing or malformed."},
		"lookup.registry_record":    {"名册第 %d 条记录格式不对，未更换。", "Registry record %d is malformed; nothing was changed."},
		"lookup.registry_bad":       {"名册第 %d 条记录有误，未更换：%s", "Registry record %d is not valid; nothing was changed: %s"},
		"lookup.registry_duplicate": {"名册中有重复的身份证号码，未更换。", "The registry lists an ID number twice; nothing was changed."},
		"lookup.person_name":        {"名册记录缺少姓名。", "A registry record has no name."},
		"lookup.card_status":        {"优待证状态“%s”无法识别。", "Unknown card status \"%s\"."},
		"lookup.card_history":       {"优待证办理记录的日期不对或顺序有误。", "The card history has a bad date or is out of order."},

		// Card statuses and what to do next.
		"lookup.card.none":            {"未建档", "No file yet"},
		"lookup.card.none.next":       {"您在服务站还没有建档。请取号到窗口登记您的信息，之后就可以申领优待证。", "The station has no file on you yet. Take a number and register at the counter; then you can apply for the card."},
		"lookup.card.registered":      {"已建档未申领", "Registered, not applied"},
		"lookup.card.registered.next": {"您已建档，可以申领优待证。请带身份证、户口簿、退役证件（或烈士证明书）和近期照片，取号到窗口办理。", "You are registered and can apply for the card. Bring your ID card, household register, discharge papers (or martyr certificate) and a recent photo, and take a number for the counter."},
		"lookup.card.accepted":        {"已受理", "Application accepted"},
		"lookup.card.accepted.next":   {"申请已受理，正在报送上级审核，您不用再跑。审核一般需要 30 个工作日左右。", "Your application has been accepted and sent for review. You need not come back; review takes about 30 working days."},
		"lookup.card.reviewing":       {"审核中", "Under review"},
		"lookup.card.reviewing.next":  {"正在由县、市、省逐级审核，一般需要 30 个工作日左右，有结果会通知您。", "The county, city and province are reviewing it, usually for about 30 working days. You will be told the result."},
		"lookup.card.making":          {"制卡中", "Card being made"},
		"lookup.card.making.next":     {"审核已通过，正在制卡。卡送到服务站后会通知您来领取。", "Approved; the card is being made. You will be told when it reaches the station."},
		"lookup.card.ready":           {"待领取", "Ready to collect"},
		"lookup.card.ready.next":      {"您的优待证已经到服务站了。请带上身份证，取号到窗口领取。", "Your card is at the station. Bring your ID card and take a number to collect it at the counter."},
		"lookup.card.issued":          {"已发放", "Issued"},
		"lookup.card.issued.next":     {"优待证已发放给您，出示即可享受优待。如果丢失，请尽快到窗口挂失。", "Your card has been issued: show it to use your entitlements. If you lose it, tell the counter as soon as you can."},
		"lookup.card.lost":            {"已挂失", "Reported lost"},
		"lookup.card.lost.next":       {"优待证已挂失，原卡不能再用。请带身份证和近期照片，取号到窗口申请补领。", "The card is reported lost and no longer valid. Bring your ID card and a recent photo and take a number to apply for a new one."},
		"lookup.card.replacing":       {"补换中", "Replacement in progress"},
		"lookup.card.replacing.next":  {"补领或换卡正在办理，新卡到服务站后会通知您来领取。", "Your replacement card is being made. You will be told when it reaches the station."},
		"lookup.card.cancelled":       {"已注销", "Cancelled"},
		"lookup.card.cancelled.next":  {"该优待证已注销。如有疑问，请取号到窗口问工作人员。", "This card has been cancelled. If you have questions, take a number and ask at the counter."},
		"lookup.card.no_card":         {"您所在的人员类别不发放优待证，可凭身份证和相关证明享受优待。有疑问请取号到窗口问。", "People like you do not get a preferential card; your ID card and related papers are enough. If you have questions, take a number and ask at the counter."},

		// The wizard's follow-up questions and their answers.
		"lookup.q.disability_grade":          {"您的伤残等级是几级？", "What is your disability grade?"},
		"lookup.q.disability_cause":          {"您是怎么致残的？", "How did the disability come about?"},
		"lookup.q.birth_date":                {"您是哪一年出生的？", "In which year were you born?"},
		"lookup.q.sex":                       {"您的性别是？", "Are you male or female?"},
		"lookup.q.residence":                 {"您现在住在哪里？", "Where do you live?"},
		"lookup.q.relation":                  {"您和军人（烈士）是什么关系？", "How are you related to the serviceman or martyr?"},
		"lookup.grade.1":                     {"一级（最重）", "Grade 1 (most severe)"},
		"lookup.grade.2":                     {"二级", "Grade 2"},
		"lookup.grade.3":                     {"三级", "Grade 3"},
		"lookup.grade.4":                     {"四级", "Grade 4"},
		"lookup.grade.5":                     {"五级", "Grade 5"},
		"lookup.grade.6":                     {"六级", "Grade 6"},
		"lookup.grade.7":                     {"七级", "Grade 7"},
		"lookup.grade.8":                     {"八级", "Grade 8"},
		"lookup.grade.9":                     {"九级", "Grade 9"},
		"lookup.grade.10":                    {"十级（最轻）", "Grade 10 (least severe)"},
		"lookup.cause.war":                   {"因战（作战受伤）", "In war (wounded in combat)"},
		"lookup.cause.duty":                  {"因公（执行任务受伤）", "On duty (injured on duty)"},
		"lookup.cause.illness":               {"因病", "By illness"},
		"lookup.sex.male":                    {"男", "Male"},
		"lookup.sex.female":                  {"女", "Female"},
		"lookup.residence.rural":             {"农村", "In the countryside"},
		"lookup.residence.urban_no_employer": {"城镇，没有工作单位", "In a town, without an employer"},
		"lookup.residence.urban":             {"城镇，有工作单位", "In a town, with an employer"},
		"lookup.relation.parent":             {"父母（抚养人）", "Parent (or guardian)"},
		"lookup.relation.spouse":             {"配偶", "Spouse"},
		"lookup.relation.child":              {"子女", "Child"},
		"lookup.relation.sibling_dependent":  {"兄弟姐妹（由其生前供养）", "Brother or sister (dependent)"},

		// How results are explained.
		"lookup.attr.disability_grade": {"伤残等级", "disability grade"},
		"lookup.attr.disability_cause": {"致残原因", "cause of disability"},
		"lookup.attr.birth_date":       {"出生年份", "year of birth"},
		"lookup.attr.sex":              {"性别", "sex"},
		"lookup.attr.residence":        {"居住地", "where you live"},
		"lookup.attr.relation":         {"与军人的关系", "relation to the serviceman"},
		"lookup.reason.staff_review":   {"需要工作人员根据您的具体情况确认", "staff decide this from your circumstances"},
		"lookup.reason.unknown":        {"还要看您的%s", "depends on your %s"},
		"lookup.for.parent":            {"由您的父母享受", "for your parents"},
		"lookup.for.spouse":            {"由您的配偶享受", "for your spouse"},
		"lookup.for.child":             {"由您的子女享受", "for your children"},
		"lookup.for.sibling_dependent": {"由您供养的兄弟姐妹享受", "for your dependent siblings"},
		"lookup.where_station":         {"本服务站：取号办理“%s”", "This station: take a number for \"%s\""},
		"lookup.where_here":            {"本服务站", "This station"},
		"lookup.list_sep":              {"、", ", "},
	})
	// A visitor's answers, refused by the catalog's rules; the registry's and the
	// catalog's own checks are an administrator's business and keep the plain code.
	addKinds(EINVALID, KindRejected, "lookup.no_category", "lookup.category", "lookup.grade", "lookup.cause",
		"lookup.sex", "lookup.residence", "lookup.relation", "lookup.birth_date", "lookup.birth_future", "lookup.last4")
	// Locked until staff, having seen the person, unlock it (PersonService.ClearLookupLock).
	addKinds(EFORBIDDEN, KindLocked, "lookup.locked")
}
