package backend

// Messages about the station's config.json, shown once at start to whoever edited it.
func init() {
	addMessages(map[string][2]string{
		"config.languages_first": {"config.json 中的 languages 应以 \"zh-CN\" 开头（可选语言：%s）。",
			"languages in config.json must start with \"zh-CN\" (the languages: %s)."},
		"config.languages_unknown": {"config.json 中的 languages 含有未知语言“%s”，可选语言：%s。",
			"languages in config.json has the unknown language \"%s\"; the languages are: %s."},
		"config.languages_twice": {"config.json 中的 languages 把“%s”写了两次。",
			"languages in config.json names \"%s\" twice."},
	})
}
