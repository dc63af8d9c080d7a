package backend

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Matter is one thing a visitor can come about, within a service: the kiosk's tap
// choices. Code is the service letter and the matter's place in the seed's typical
// list (B1 首次申领, B2 挂失后补领, …); <letter>0 is "something else" (其他).
type Matter struct {
	Code    string `json:"code"`
	Service string `json:"service"`
	NameZH  string `json:"name_zh"`
	NameEN  string `json:"name_en"`
}

// Name returns the matter's name in lang; in Mongolian, its draft (messages_mongolian.go).
func (m Matter) Name(lang string) string {
	switch {
	case IsEnglish(lang) && m.NameEN != "":
		return m.NameEN
	case IsMongolian(lang):
		key := "ledger.matter." + m.Code
		if strings.HasSuffix(m.Code, "0") {
			key = "ledger.matter.other"
		}
		if mn, ok := mongolian[key]; ok {
			return mn
		}
	}
	return m.NameZH
}

// matters returns the matters by service letter, built once from the seed's services on
// first use (not at package init: the translations are added by init functions).
var matters = sync.OnceValue(buildMatters)

func buildMatters() map[string][]Matter {
	services, err := DefaultServices()
	if err != nil {
		panic(err) // the seed is embedded: a broken one fails every test at once
	}
	out := map[string][]Matter{}
	for _, svc := range services {
		var list []Matter
		for i, zh := range svc.TypicalZH {
			code := fmt.Sprintf("%s%d", svc.Letter, i+1)
			list = append(list, Matter{Code: code, Service: svc.Letter, NameZH: zh,
				NameEN: Translate("en", "ledger.matter."+code)})
		}
		code := svc.Letter + "0"
		list = append(list, Matter{Code: code, Service: svc.Letter,
			NameZH: Translate("zh-CN", "ledger.matter.other"), NameEN: Translate("en", "ledger.matter.other")})
		out[svc.Letter] = list
	}
	return out
}

// VisitMatters returns the matters of a service in the order the kiosk shows them,
// "something else" last; nil for an unknown service.
func VisitMatters(service string) []Matter { return slices.Clone(matters()[service]) }

// FindMatter returns the matter with code in service.
func FindMatter(service, code string) (Matter, bool) {
	i := slices.IndexFunc(matters()[service], func(m Matter) bool { return m.Code == code })
	if i < 0 {
		return Matter{}, false
	}
	return matters()[service][i], true
}
