package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/store/storetest"
	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

func TestBrandingRoundTripPerFirm(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		noord, zuid := newFirm(t, s, "Noord"), newFirm(t, s, "Zuid")
		// A firm that never saved a look gets the zero look.
		b, err := s.Branding(ctx, noord.ID)
		if err != nil || b.FirmID != noord.ID || b.Name != "" || b.HasLogo() {
			t.Fatalf("unsaved branding = %+v, %v", b, err)
		}
		want := &survey.Branding{FirmID: noord.ID, Name: "Adviesbureau Noord", Contact: "030 123 45 67 · info@noord.nl", Color: "#154273", OnRespondentPages: true}
		if err := s.SaveBranding(ctx, want); err != nil {
			t.Fatal(err)
		}
		logoPNG := []byte("\x89PNG fake but stored as given")
		if err := s.SetBrandingLogo(ctx, noord.ID, logoPNG, 120, 40); err != nil {
			t.Fatal(err)
		}
		// Saving the texts again keeps the logo.
		want.Contact = "info@noord.nl"
		if err := s.SaveBranding(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Branding(ctx, noord.ID)
		if err != nil || got.Name != want.Name || got.Contact != "info@noord.nl" || got.Color != "#154273" || !got.OnRespondentPages ||
			!bytes.Equal(got.Logo, logoPNG) || got.LogoWidth != 120 || got.LogoHeight != 40 || got.LogoVersion == "" {
			t.Fatalf("Branding = %+v, %v", got, err)
		}
		look, err := s.BrandingLook(ctx, noord.ID)
		if err != nil || len(look.Logo) != 0 || look.LogoVersion != got.LogoVersion || look.Name != want.Name {
			t.Fatalf("BrandingLook = %+v, %v", look, err)
		}
		// Another firm sees nothing of it.
		if other, err := s.Branding(ctx, zuid.ID); err != nil || other.Name != "" || other.HasLogo() {
			t.Fatalf("the other firm's branding = %+v, %v", other, err)
		}
		// A new logo gets a new version; removing it clears it.
		if err := s.SetBrandingLogo(ctx, noord.ID, []byte("\x89PNG another"), 60, 20); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.BrandingLook(ctx, noord.ID); again.LogoVersion == got.LogoVersion {
			t.Error("a new logo kept the old version")
		}
		if err := s.SetBrandingLogo(ctx, noord.ID, nil, 0, 0); err != nil {
			t.Fatal(err)
		}
		if gone, _ := s.Branding(ctx, noord.ID); gone.HasLogo() || gone.LogoVersion != "" || gone.Name != want.Name {
			t.Errorf("after removing the logo: %+v", gone)
		}
	})
}

func TestBrandingRefusals(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		firm := newFirm(t, s, "Noord")
		if err := s.SaveBranding(ctx, &survey.Branding{FirmID: firm.ID, Color: "#777777"}); survey.ErrorCode(err) != survey.CodeInvalid {
			t.Errorf("a colour failing contrast = %v; want invalid", err)
		}
		if err := s.SaveBranding(ctx, &survey.Branding{FirmID: "no-such-firm", Name: "X"}); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("branding of an unknown firm = %v; want not found", err)
		}
		if err := s.SetBrandingLogo(ctx, "no-such-firm", []byte("x"), 1, 1); survey.ErrorCode(err) != survey.CodeNotFound {
			t.Errorf("logo of an unknown firm = %v; want not found", err)
		}
	})
}
