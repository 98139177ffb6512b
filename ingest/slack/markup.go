package slack

import (
	"strings"
	"unicode/utf8"

	"chatseal/chat"
)

// Slack writes message text in its "mrkdwn" markup. Everything the
// importer renders is enclosed in angle brackets, which Slack escapes as
// &lt; and &gt; when a person types them, together with &amp;:
//
//	<@U123>  <@U123|name>     a user mention
//	<#C123>  <#C123|name>     a channel link
//	<!here> <!channel> <!everyone>, <!subteam^S123|@team>, <!date^…|text>
//	<https://example.com>  <https://example.com|label>  <mailto:a@b|a@b>
//
// Emphasis (*bold*, _italic_, ~strike~, `code`) is left as it is.

// token is one <…> span of markup.
type token struct {
	start, end int    // byte offsets of '<' and just after '>'
	sigil      byte   // '@', '#', '!' or 0 for a link
	target     string // the id, keyword or URL
	label      string // the text after '|', if any
}

// nextToken returns the first token of text at or after byte from. A '<'
// without a '>' on the same line is plain text.
func nextToken(text string, from int) (token, bool) {
	for {
		open := strings.IndexByte(text[from:], '<')
		if open < 0 {
			return token{}, false
		}
		open += from
		end := strings.IndexAny(text[open+1:], "<>\n")
		if end < 0 {
			return token{}, false
		}
		end += open + 1
		if text[end] != '>' || end == open+1 {
			from = open + 1
			continue
		}
		inner := text[open+1 : end]
		t := token{start: open, end: end + 1}
		if c := inner[0]; c == '@' || c == '#' || c == '!' {
			t.sigil = c
			inner = inner[1:]
		}
		t.target, t.label, _ = strings.Cut(inner, "|")
		return t, true
	}
}

// hasMarkup reports whether text may hold a token or an escape.
func hasMarkup(text string) bool {
	return strings.IndexByte(text, '<') >= 0 || strings.IndexByte(text, '&') >= 0
}

// DisplayText renders Slack markup as a person reads it in Slack. A mention
// becomes "@" and the person's name, and a channel link "#" and the channel
// name. A link becomes its label, or its URL when it has none. The escapes
// &amp;, &lt; and &gt; become the characters they stand for. names resolves
// ids and may be nil. An id it does not resolve is shown by the label the
// markup gives, else by the id itself.
func DisplayText(text string, names Names) string {
	if !hasMarkup(text) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for t, ok := nextToken(text, 0); ok; t, ok = nextToken(text, t.end) {
		b.WriteString(unescape(text[last:t.start]))
		b.WriteString(t.render(names))
		last = t.end
	}
	b.WriteString(unescape(text[last:]))
	return b.String()
}

// render returns the text a token shows.
func (t token) render(names Names) string {
	switch t.sigil {
	case '@':
		return "@" + firstNonEmpty(lookupName(names, t.target, false), t.label, t.target)
	case '#':
		return "#" + firstNonEmpty(lookupName(names, t.target, true), t.label, t.target)
	case '!':
		switch keyword, _, _ := strings.Cut(t.target, "^"); keyword {
		case "here", "channel", "everyone":
			return "@" + keyword
		case "subteam":
			// A user group; its label is its handle with the "@".
			return firstNonEmpty(unescape(t.label), "@"+strings.TrimPrefix(t.target, "subteam^"))
		}
		return firstNonEmpty(unescape(t.label), t.target)
	}
	return firstNonEmpty(unescape(t.label), unescape(t.target))
}

func lookupName(names Names, id string, channel bool) string {
	if names == nil {
		return ""
	}
	if channel {
		return names.ChannelName(id)
	}
	return names.UserName(id)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// unescape replaces the three escapes Slack writes in text.
func unescape(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return escapes.Replace(s)
}

var escapes = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// mentions returns the user mentions and the @here, @channel and @everyone
// mentions of text, with offsets and lengths in code points of text, each
// spanning the whole token.
func mentions(text string) []chat.Mention {
	var out []chat.Mention
	runes, counted := 0, 0 // code points of text[:counted]
	for t, ok := nextToken(text, 0); ok; t, ok = nextToken(text, t.end) {
		var m chat.Mention
		switch {
		case t.sigil == '@' && t.target != "":
			m.UserID = t.target
		case t.sigil == '!' && (t.target == "here" || t.target == "channel" || t.target == "everyone"):
			m.AllMembers = true
		default:
			continue
		}
		runes += utf8.RuneCountInString(text[counted:t.start])
		m.Offset = runes
		m.Length = utf8.RuneCountInString(text[t.start:t.end])
		runes += m.Length
		counted = t.end
		out = append(out, m)
	}
	return out
}
