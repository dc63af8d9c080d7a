package backend

// Messages of the station's guards against clients on its LAN (issue 14): rate
// limits, kiosk devices, TLS.
func init() {
	addMessages(map[string][2]string{
		"rate.too_fast": {"操作太频繁，请 %d 秒后再试。", "Too many requests. Please try again in %d seconds."},
		"lookup.paused": {"这台设备上输错的次数太多，查询暂停 %d 分钟。", "Too many wrong answers on this device: the lookup is paused for %d minutes."},
		"tls.off":       {"本站的局域网地址没有启用 HTTPS，没有证书可下载。", "The station does not serve HTTPS on its network, so there is no certificate to download."},
		"tls.board_only": {"这个地址只用于大厅显示屏。工作台请使用 https 地址。",
			"This address is for the lobby board only. Use the https address for the staff console."},
	})
	addKinds(EUNAVAILABLE, KindTooFast, "rate.too_fast", "lookup.paused")
}

func init() {
	addMessages(map[string][2]string{
		"device.name":         {"设备名称应为 1 到 %d 个字。", "A device name has 1 to %d characters."},
		"device.exists":       {"已有名为“%s”的设备。", "There is already a device named \"%s\"."},
		"device.lan_settings": {"请说明是否允许局域网内任何设备取号（open_tickets）。", "Say whether any device on the network may take tickets (open_tickets)."},
		"device.not_found":    {"没有这台设备，或它已被移除。", "There is no such device, or it was removed."},
		"device.kiosk_pc": {"这项操作只能在服务站大厅的自助机上进行。",
			"This can only be done on the station's own kiosk, in the lobby."},
		"device.kiosk_only": {"这项操作只能在服务站的自助机上进行。请到大厅的自助机上操作，或请工作人员帮忙。",
			"This can only be done at the station's kiosk. Please use the kiosk in the lobby, or ask the staff."},
	})
}
