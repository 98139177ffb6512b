package chat

import "time"

// ThreadView is a message as a reader of its conversation sees it: the
// stored message plus what later messages said about it. It is computed, never
// stored, because stored messages are never changed.
type ThreadView struct {
	*Message
	// RecalledAt is when a recall message targeting this one was sent.
	RecalledAt *time.Time `json:"recalled_at,omitempty"`
	// EditedAt is when the last edit message targeting this one was sent,
	// or else the edit time the source gives on the message itself.
	EditedAt *time.Time `json:"edited_at,omitempty"`
	// Reactions are the reactions still standing on this message, by
	// sender: those the export lists on it, then the reaction events.
	Reactions map[string]string `json:"reactions,omitempty"`
	// Tags are the reviewer tags of the message, when the caller fills
	// them; BuildThread leaves them empty.
	Tags []string `json:"tags,omitempty"`
}

// BuildThread returns the views of msgs, in the given order, with recalls,
// edits and reactions applied to the messages they target. Targets are
// matched by SourceID within the given messages.
func BuildThread(msgs []*Message) []ThreadView {
	views := make([]ThreadView, len(msgs))
	bySource := make(map[string]int, len(msgs))
	for i, m := range msgs {
		views[i].Message = m
		views[i].EditedAt = m.EditedAt
		for _, r := range m.Reactions {
			if views[i].Reactions == nil {
				views[i].Reactions = map[string]string{}
			}
			actor := r.ActorID
			if actor == "" {
				actor = r.Actor
			}
			views[i].Reactions[actor] = r.Reaction
		}
		if m.SourceID != "" {
			if _, dup := bySource[m.SourceID]; !dup {
				bySource[m.SourceID] = i
			}
		}
	}
	for _, m := range msgs {
		if m.Target == "" {
			continue
		}
		i, ok := bySource[m.Target]
		if !ok {
			continue
		}
		at := m.SentAt
		switch m.Kind {
		case KindRecall:
			views[i].RecalledAt = &at
		case KindEdit:
			views[i].EditedAt = &at
		case KindReaction:
			if views[i].Reactions == nil {
				views[i].Reactions = map[string]string{}
			}
			if m.ReactionRemoved || m.Reaction == "" {
				delete(views[i].Reactions, m.Sender.ID)
			} else {
				views[i].Reactions[m.Sender.ID] = m.Reaction
			}
		}
	}
	return views
}
