package backend

func init() {
	addMessages(map[string][2]string{
		"keys.station_running": {"兵站程序正在使用数据目录 %s。请先关闭自助机窗口和 bingzhan serve，再轮换密钥。", "The station is running on the data folder %s. Close the kiosk window and bingzhan serve first, then rotate the keys."},
		"keys.no_station":      {"数据目录 %s 中没有兵站数据，请检查 --data 参数。", "There is no station data in %s. Check the --data folder."},
		"keys.unfinished":      {"密钥轮换未完成：仍有 %d 条记录未用新密钥加密。数据未受影响，请再次运行 bingzhan keys rotate 完成轮换。", "The key rotation is not finished: %d records are not yet sealed under the new key. Nothing is lost; run bingzhan keys rotate again to finish it."},
	})
}
