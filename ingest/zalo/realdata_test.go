package zalo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// bankSupportDir is the vi-bank-support data set: real customer messages to
// six customer-care accounts of a Vietnamese bank, captured as zca-js events
// (texts under GPL-3.0). It lives beside the repository and is never copied
// into it.
const bankSupportDir = "../../../shared/data/vi-bank-support"

// Totals of the data set's six account files.
const (
	bankSupportLines    = 4498
	bankSupportTexts    = 4455
	bankSupportRecalls  = 43
	bankSupportAccounts = 6
)

func TestReader_BankSupportData(t *testing.T) {
	accountsDir := filepath.Join(bankSupportDir, "accounts")
	if _, err := os.Stat(accountsDir); os.IsNotExist(err) {
		t.Skipf("data set folder %s not found", accountsDir)
	}
	var roster struct {
		Accounts []struct {
			Account string `json:"account"`
			ZaloUID string `json:"zalo_uid"`
			File    string `json:"file"`
		} `json:"accounts"`
	}
	readJSONFile(t, filepath.Join(bankSupportDir, "roster.json"), &roster)
	if len(roster.Accounts) != bankSupportAccounts {
		t.Fatalf("roster lists %d accounts, want %d", len(roster.Accounts), bankSupportAccounts)
	}

	var lines, texts, recalls, badRecords int
	for _, acc := range roster.Accounts {
		data, err := os.ReadFile(filepath.Join(bankSupportDir, acc.File))
		if err != nil {
			t.Fatal(err)
		}
		lines += bytes.Count(data, []byte("\n"))

		opts := ingest.Options{Account: acc.Account, AccountUID: acc.ZaloUID}
		msgs, bad := readAll(t, bytes.NewReader(data), acc.File, opts)
		badRecords += len(bad)
		for _, b := range bad {
			t.Errorf("%v", b)
		}

		seen := make(map[string]bool, len(msgs))
		conversationOf := make(map[string]string, len(msgs))
		for _, m := range msgs {
			if seen[m.SourceID] {
				t.Errorf("%s: SourceID %s appears more than once", acc.File, m.SourceID)
			}
			seen[m.SourceID] = true
			conversationOf[m.SourceID] = m.Conversation

			switch m.Kind {
			case chat.KindText:
				texts++
			case chat.KindRecall:
				recalls++
			default:
				t.Errorf("%s: message %s has kind %q, want text or recall", acc.File, m.SourceID, m.Kind)
			}
			if m.Account != acc.Account {
				t.Errorf("%s: message %s has account %q, want %q", acc.File, m.SourceID, m.Account, acc.Account)
			}
			if m.IsSelf() && m.Sender.ID != acc.ZaloUID {
				t.Errorf("%s: outbound message %s has sender %s, want the account's uid %s", acc.File, m.SourceID, m.Sender.ID, acc.ZaloUID)
			}
		}
		for _, m := range msgs {
			if m.Kind != chat.KindRecall {
				continue
			}
			if conv, ok := conversationOf[m.Target]; !ok {
				t.Errorf("%s: recall %s targets %s, which is not in the file", acc.File, m.SourceID, m.Target)
			} else if conv != m.Conversation {
				t.Errorf("%s: recall %s is in conversation %s but its target is in %s", acc.File, m.SourceID, m.Conversation, conv)
			}
		}
	}

	if lines != bankSupportLines {
		t.Errorf("read %d lines, want %d", lines, bankSupportLines)
	}
	if texts != bankSupportTexts {
		t.Errorf("got %d text messages, want %d", texts, bankSupportTexts)
	}
	if recalls != bankSupportRecalls {
		t.Errorf("got %d recalls, want %d", recalls, bankSupportRecalls)
	}
	if badRecords != 0 {
		t.Errorf("got %d bad records, want 0", badRecords)
	}
}
