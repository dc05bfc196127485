package content

import "strings"

// NormalizeLocale returns locale in canonical BCP 47 case (language lower,
// script title, region upper; "_" read as "-"): "de_at" → "de-AT",
// "zh-hant-tw" → "zh-Hant-TW".
func NormalizeLocale(locale string) string {
	parts := strings.Split(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"), "-")
	for i, p := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(p)
		case len(p) == 4:
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		case len(p) == 2:
			parts[i] = strings.ToUpper(p)
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-")
}

// LocaleChain returns the variants to try for locale, most specific first,
// ending with "" (the default variant): "de-AT" → ["de-AT", "de", ""].
func LocaleChain(locale string) []string {
	locale = NormalizeLocale(locale)
	var chain []string
	for locale != "" {
		chain = append(chain, locale)
		i := strings.LastIndexByte(locale, '-')
		if i < 0 {
			break
		}
		locale = locale[:i]
	}
	return append(chain, "")
}
