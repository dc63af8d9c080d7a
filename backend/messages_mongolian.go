package backend

import "strings"

// mongolian holds the traditional Mongolian (mn-Mong) of the messages a visitor reads
// on the kiosk's Mongolian screens, by key. They are machine-made drafts awaiting a
// native speaker's review, like the kiosk's own (frontend/src/locales/mn-Mong.json,
// "_draft"). A key without Mongolian here is shown in Chinese: the county's data (the
// wizard's questions, the services' names) is Chinese too.
var mongolian = map[string]string{
	// The card's status and what to do next (the personal lookup's result).
	"lookup.card.none":            "ᠪᠦᠷᠢᠳᠬᠡᠯ ᠦᠭᠡᠢ",
	"lookup.card.none.next":       "ᠲᠠ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ ᠦ ᠲᠥᠪ ᠲᠦ ᠪᠦᠷᠢᠳᠬᠡᠯ ᠦᠭᠡᠢ ᠪᠠᠶᠢᠨ᠎ᠠ᠃ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠴᠣᠩᠬᠤ ᠳᠤ ᠪᠦᠷᠢᠳᠬᠡᠭᠦᠯᠦᠨ᠎ᠡ ᠦᠦ᠂ ᠳᠠᠷᠠᠭ᠎ᠠ ᠨᠢ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠬᠦᠰᠡᠵᠦ ᠪᠣᠯᠣᠨ᠎ᠠ᠃",
	"lookup.card.registered":      "ᠪᠦᠷᠢᠳᠬᠡᠭᠰᠡᠨ᠂ ᠬᠦᠰᠡᠭᠡ ᠦᠭᠡᠢ",
	"lookup.card.registered.next": "ᠲᠠ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠬᠦᠰᠡᠵᠦ ᠪᠣᠯᠣᠨ᠎ᠠ᠃ ᠪᠡᠶ᠎ᠡ ᠶᠢᠨ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ᠂ ᠥᠷᠬᠦ ᠶᠢᠨ ᠳᠡᠪᠲᠡᠷ᠂ ᠴᠡᠷᠢᠭ ᠡᠴᠡ ᠬᠡᠲᠦᠷᠦᠭᠰᠡᠨ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠪᠣᠯᠣᠨ ᠵᠢᠷᠤᠭ ᠢᠶᠡᠨ ᠠᠪᠴᠤ᠂ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠴᠣᠩᠬᠤ ᠳᠤ ᠣᠴᠢᠨ᠎ᠠ ᠤᠤ᠃",
	"lookup.card.accepted":        "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ",
	"lookup.card.accepted.next":   "ᠬᠦᠰᠡᠯᠲᠡ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠴᠤ ᠳᠡᠭᠡᠭᠰᠢ ᠢᠯᠡᠭᠡᠭᠰᠡᠨ᠃ ᠲᠠ ᠳᠠᠬᠢᠨ ᠢᠷᠡᠬᠦ ᠬᠡᠷᠡᠭ ᠦᠭᠡᠢ᠃ ᠬᠢᠨᠠᠯᠲᠠ ᠶᠡᠷᠦ ᠶᠢᠨ 30 ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ ᠦᠷᠭᠦᠯᠵᠢᠯᠡᠨ᠎ᠡ᠃",
	"lookup.card.reviewing":       "ᠬᠢᠨᠠᠵᠤ ᠪᠠᠶᠢᠨ᠎ᠠ",
	"lookup.card.reviewing.next":  "ᠰᠢᠶᠠᠨ᠂ ᠬᠣᠲᠠ᠂ ᠮᠤᠵᠢ ᠳᠠᠷᠠᠭᠠᠯᠠᠨ ᠬᠢᠨᠠᠵᠤ ᠪᠠᠶᠢᠨ᠎ᠠ᠃ ᠶᠡᠷᠦ ᠶᠢᠨ 30 ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ ᠦᠷᠭᠦᠯᠵᠢᠯᠡᠨ᠎ᠡ᠂ ᠦᠷ᠎ᠡ ᠳᠦᠩ ᠢ ᠲᠠᠨ ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠨ᠎ᠡ᠃",
	"lookup.card.making":          "ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠬᠢᠵᠦ ᠪᠠᠶᠢᠨ᠎ᠠ",
	"lookup.card.making.next":     "ᠬᠢᠨᠠᠯᠲᠠ ᠳᠠᠪᠤᠭᠰᠠᠨ᠂ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠬᠢᠵᠦ ᠪᠠᠶᠢᠨ᠎ᠠ᠃ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ ᠦ ᠲᠥᠪ ᠲᠦ ᠬᠦᠷᠬᠡᠷ ᠠᠪᠬᠤ ᠶᠢ ᠲᠠᠨ ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠨ᠎ᠡ᠃",
	"lookup.card.ready":           "ᠠᠪᠬᠤ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠶᠢᠨ᠎ᠠ",
	"lookup.card.ready.next":      "ᠲᠠᠨ ᠤ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ ᠦ ᠲᠥᠪ ᠲᠦ ᠬᠦᠷᠴᠡᠢ᠃ ᠪᠡᠶ᠎ᠡ ᠶᠢᠨ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠢᠶᠡᠨ ᠠᠪᠴᠤ᠂ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠴᠣᠩᠬᠤ ᠡᠴᠡ ᠠᠪᠤᠨ᠎ᠠ ᠤᠤ᠃",
	"lookup.card.issued":          "ᠣᠯᠭᠣᠭᠰᠠᠨ",
	"lookup.card.issued.next":     "ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠢ ᠲᠠᠨ ᠳᠤ ᠣᠯᠭᠣᠭᠰᠠᠨ᠃ ᠦᠵᠡᠭᠦᠯᠪᠡᠯ ᠲᠤᠰᠬᠠᠢ ᠲᠡᠲᠭᠦᠯᠭᠡ ᠡᠳᠯᠡᠨ᠎ᠡ᠃ ᠭᠡᠭᠡᠭᠡᠪᠡᠯ ᠳᠠᠷᠤᠢ ᠴᠣᠩᠬᠤ ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠨ᠎ᠡ ᠦᠦ᠃",
	"lookup.card.lost":            "ᠭᠡᠭᠡᠭᠳᠡᠭᠰᠡᠨ",
	"lookup.card.lost.next":       "ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠢ ᠭᠡᠭᠡᠭᠳᠡᠭᠰᠡᠨ ᠭᠡᠵᠦ ᠪᠦᠷᠢᠳᠬᠡᠭᠰᠡᠨ᠂ ᠬᠠᠭᠤᠴᠢᠨ ᠢ ᠬᠡᠷᠡᠭᠯᠡᠬᠦ ᠦᠭᠡᠢ᠃ ᠪᠡᠶ᠎ᠡ ᠶᠢᠨ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠪᠣᠯᠣᠨ ᠵᠢᠷᠤᠭ ᠢᠶᠡᠨ ᠠᠪᠴᠤ᠂ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠰᠢᠨ᠎ᠡ ᠶᠢ ᠬᠦᠰᠡᠨ᠎ᠡ ᠦᠦ᠃",
	"lookup.card.replacing":       "ᠰᠣᠯᠢᠵᠤ ᠪᠠᠶᠢᠨ᠎ᠠ",
	"lookup.card.replacing.next":  "ᠰᠢᠨ᠎ᠡ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠬᠢᠵᠦ ᠪᠠᠶᠢᠨ᠎ᠠ᠃ ᠦᠢᠯᠡᠴᠢᠯᠭᠡᠨ ᠦ ᠲᠥᠪ ᠲᠦ ᠬᠦᠷᠬᠡᠷ ᠠᠪᠬᠤ ᠶᠢ ᠲᠠᠨ ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠨ᠎ᠡ᠃",
	"lookup.card.cancelled":       "ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠭᠰᠠᠨ",
	"lookup.card.cancelled.next":  "ᠡᠨᠡ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠢ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠭᠰᠠᠨ᠃ ᠠᠰᠠᠭᠤᠬᠤ ᠵᠦᠢᠯ ᠪᠠᠶᠢᠪᠠᠯ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠴᠣᠩᠬᠤ ᠳᠤ ᠠᠵᠢᠯᠴᠢᠨ ᠠᠴᠠ ᠠᠰᠠᠭᠤᠨ᠎ᠠ ᠤᠤ᠃",
	"lookup.card.no_card":         "ᠲᠠᠨ ᠤ ᠠᠩᠭᠢᠯᠠᠯ ᠳᠤ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠣᠯᠭᠣᠬᠤ ᠦᠭᠡᠢ᠂ ᠪᠡᠶ᠎ᠡ ᠶᠢᠨ ᠭᠡᠷᠡᠴᠢᠯᠡᠯ ᠪᠣᠯᠣᠨ ᠬᠠᠮᠢᠶ᠎ᠠ ᠲᠠᠢ ᠪᠢᠴᠢᠭ ᠪᠡᠷ ᠲᠤᠰᠬᠠᠢ ᠲᠡᠲᠭᠦᠯᠭᠡ ᠡᠳᠯᠡᠨ᠎ᠡ᠃ ᠠᠰᠠᠭᠤᠬᠤ ᠵᠦᠢᠯ ᠪᠠᠶᠢᠪᠠᠯ ᠨᠣᠮᠡᠷ ᠠᠪᠴᠤ ᠴᠣᠩᠬᠤ ᠳᠤ ᠠᠰᠠᠭᠤᠨ᠎ᠠ ᠤᠤ᠃",
}

// IsMongolian reports whether lang is traditional Mongolian, as httperr.Lang gives it.
func IsMongolian(lang string) bool { return strings.EqualFold(lang, "mn-Mong") }
