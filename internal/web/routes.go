package web

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the service in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	if len(s.trustedProxies) > 0 {
		// Behind a load balancer every peer is the balancer: believe its
		// X-Forwarded-For, and only its, so that rate limits count
		// clients. echo would trust all private ranges by default.
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, r := range s.trustedProxies {
			trust = append(trust, echo.TrustIPRange(r))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}

	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	if s.metrics != nil {
		// Around requestLogger, which has the error handler answer
		// first: the metrics see the status the client receives.
		e.Use(s.requestMetrics)
	}
	e.Use(s.requestLogger)
	e.Use(middleware.Recover())
	e.Use(s.securityHeaders)
	// The logo upload has a limit of its own, set on its route.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.cfg.BodyLimit, Skipper: isLogoUpload}))
	e.Use(s.chooseLanguage)
	e.Use(refuseControlCharsInPath)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if s.metrics != nil {
		// Prometheus: the bearer token is the key, so no CSRF token,
		// session or rate limit. Without a token /metrics is unknown.
		e.GET(metricsPath, s.serveMetrics)
	}
	e.GET("/static/*", echo.WrapHandler(s.static))
	e.GET("/toegankelijkheid", s.showAccessibility)
	e.GET("/", s.home)

	// Every state-changing form, respondents' included, carries a CSRF token.
	csrf := s.csrf()

	// The respondent flow.
	d := e.Group("/d/:token", csrf)
	d.GET("", s.landing)
	respondentLimit := s.respondentRateLimit()
	d.POST("/start", s.start, respondentLimit)
	d.POST("/code", s.enterCode, s.codeRateLimit(), s.codeFailureCeiling())
	d.GET("/stap/:step", s.showStep)
	d.POST("/stap/:step", s.saveStep)
	d.GET("/controle", s.review)
	d.POST("/verzenden", s.submit, respondentLimit)
	d.GET("/bedankt", s.thanks)
	d.GET("/privacy", s.respondentPrivacy)
	// The firm's look, only where the firm chose to show it to respondents.
	d.GET("/logo.png", s.respondentLogo)
	d.GET("/huisstijl.css", s.respondentBrandCSS)
	d.GET("/"+summaryFilePDF, s.respondentSummaryPDF)

	// The consultants' workspace: organisations and diagnostics. Every
	// handler looks records up within the consultant's firm. Middleware is
	// given per route: a group without a prefix would also catch every
	// unknown URL.
	ws := []echo.MiddlewareFunc{csrf, s.requireConsultant}
	e.GET("/organisaties", s.listOrganisations, ws...)
	e.GET("/organisaties/nieuw", s.newOrganisation, ws...)
	e.POST("/organisaties", s.createOrganisation, ws...)
	e.GET("/organisaties/:id", s.showOrganisation, ws...)
	e.GET("/organisaties/:id/bewerken", s.editOrganisation, ws...)
	e.POST("/organisaties/:id", s.updateOrganisation, ws...)
	e.GET("/organisaties/:id/diagnoses/nieuw", s.newDiagnostic, ws...)
	e.GET("/organisaties/:id/diagnoses", s.organisationDiagnostics, ws...)
	e.POST("/organisaties/:id/diagnoses", s.createDiagnostic, ws...)
	e.GET("/diagnoses", s.showOverview, ws...)
	e.GET("/diagnoses/:id", s.showDiagnostic, ws...)
	e.GET("/diagnoses/:id/bewerken", s.editDiagnostic, ws...)
	e.GET("/diagnoses/:id/voortgang.json", s.showLiveProgress, ws...)
	e.POST("/diagnoses/:id/bewerken", s.updateDiagnostic, ws...)
	e.GET("/diagnoses/:id/openen", s.confirmOpenDiagnostic, ws...)
	e.POST("/diagnoses/:id/openen", s.openDiagnostic, ws...)
	e.GET("/diagnoses/:id/sluiten", s.confirmCloseDiagnostic, ws...)
	e.POST("/diagnoses/:id/sluiten", s.closeDiagnostic, ws...)
	e.GET("/diagnoses/:id/verwijderen", s.confirmDeleteDiagnostic, ws...)
	e.POST("/diagnoses/:id/verwijderen", s.deleteDiagnostic, ws...)
	e.GET("/diagnoses/:id/codes", s.showCodes, ws...)
	e.POST("/diagnoses/:id/codes", s.createCodes, ws...)
	e.GET("/diagnoses/:id/codes/bestand", s.downloadCodes, ws...)
	e.GET("/diagnoses/:id/qr.png", s.qrCodePNG, ws...)
	e.GET("/diagnoses/:id/qr.svg", s.qrCodeSVG, ws...)
	e.GET("/diagnoses/:id/poster.pdf", s.posterPDF, ws...)
	e.GET("/diagnoses/:id/privacy", s.workspacePrivacy, ws...)
	e.GET("/diagnoses/:id/privacy.md", s.workspacePrivacyMarkdown, ws...)
	// What is sent about a diagnostic (diagnostic_mail.go, director_mail.go,
	// personal_invitations.go): previews, then a POST queues.
	e.GET("/diagnoses/:id/uitnodiging", s.showContactInvitation, ws...)
	e.POST("/diagnoses/:id/uitnodiging", s.sendContactInvitation, ws...)
	e.GET("/diagnoses/:id/uitnodiging/html/:n", s.contactInvitationHTML, ws...)
	e.GET("/diagnoses/:id/directiemail", s.showDirectorMail, ws...)
	e.POST("/diagnoses/:id/directiemail", s.sendDirectorMail, ws...)
	e.GET("/diagnoses/:id/directiemail/html/:n", s.directorMailHTML, ws...)
	e.GET("/diagnoses/:id/persoonlijke-uitnodigingen", s.showPersonalInvitations, ws...)
	e.POST("/diagnoses/:id/persoonlijke-uitnodigingen", s.sendPersonalInvitations, ws...)

	// Accounts and sessions. Sign-in posts are rate-limited per client
	// before anything else; every form carries a CSRF token.
	limit := s.loginRateLimit()
	admin := []echo.MiddlewareFunc{csrf, s.requireConsultant, s.requireAdmin}
	e.GET("/login", s.showLogin, csrf)
	e.POST("/login", s.login, limit, csrf)
	e.GET("/login/totp", s.showLoginTOTP, csrf)
	e.POST("/login/totp", s.loginTOTP, limit, csrf)
	// Single sign-on (sso.go). The provider's redirect back carries no
	// CSRF token: the state (256 random bits, bound to this browser's
	// sealed cookie and usable once) is what protects it, and leaves
	// nothing to guess that a rate limit would slow down.
	e.POST("/login/sso", s.startSSO, limit, csrf)
	e.GET(ssoCallbackPath, s.ssoCallback, csrf)
	e.POST("/logout", s.logout, csrf)
	e.GET("/uitnodiging/:token", s.showInvitation, csrf)
	e.POST("/uitnodiging/:token", s.acceptInvitation, limit, csrf)
	e.GET("/account", s.showAccount, ws...)
	e.GET("/account/tweestapsverificatie", s.showTOTPSetup, ws...)
	e.POST("/account/tweestapsverificatie", s.startTOTPSetup, ws...)
	e.POST("/account/tweestapsverificatie/bevestigen", s.confirmTOTPSetup, ws...)
	e.POST("/account/tweestapsverificatie/uitzetten", s.disableTOTP, ws...)
	e.POST("/account/herstelcodes", s.newRecoveryCodes, ws...)
	e.POST("/account/tokens", s.createAPIToken, ws...)
	e.POST("/account/tokens/:id/intrekken", s.revokeAPIToken, ws...)
	e.GET("/team", s.showTeam, admin...)
	e.POST("/team/uitnodigingen", s.invite, admin...)
	e.POST("/team/uitnodigingen/:id/intrekken", s.revokeInvitation, admin...)
	e.POST("/team/tweestapsverificatie", s.setFirmTOTP, admin...)
	e.GET("/team/sso", s.showSSO, admin...)
	e.POST("/team/sso", s.saveSSO, admin...)
	e.POST("/team/sso/verwijderen", s.deleteSSO, admin...)
	e.POST("/team/:id/uitschakelen", s.disableConsultant, admin...)
	e.POST("/team/:id/inschakelen", s.enableConsultant, admin...)
	e.GET("/audit", s.showAudit, admin...)
	// The firm's own look (branding.go).
	e.GET(brandingPath, s.showBranding, admin...)
	e.POST(brandingPath, s.saveBranding, admin...)
	e.POST(logoUploadPath, s.uploadLogo, append([]echo.MiddlewareFunc{middleware.BodyLimit(logoUploadBodyLimit)}, admin...)...)
	e.POST(logoUploadPath+"/verwijderen", s.removeLogo, admin...)
	e.GET(brandingPath+"/logo.png", s.teamLogo, ws...)
	e.GET("/api/v1/me", s.apiMe, s.requireAPIToken)

	// Mail: the outbox's messages of the firm, password reset by mail and
	// the password change. Reset requests are limited per client here (a
	// budget of their own, apart from sign-in) and per address in the
	// handler.
	mailWS := append([]echo.MiddlewareFunc{s.requireMail}, ws...)
	e.GET("/berichten", s.showMessages, mailWS...)
	e.GET("/berichten/:id", s.showMessage, mailWS...)
	e.GET("/berichten/:id/html", s.messageHTML, mailWS...)
	e.POST("/berichten/:id/opnieuw", s.resendMessage, mailWS...)
	e.GET("/wachtwoord-vergeten", s.showForgotPassword, s.requireMail, csrf)
	e.POST("/wachtwoord-vergeten", s.forgotPassword, s.requireMail, s.loginRateLimit(), csrf)
	e.GET("/wachtwoord-herstellen/:token", s.showResetPassword, s.requireMail, csrf)
	e.POST("/wachtwoord-herstellen/:token", s.resetPassword, s.requireMail, s.loginRateLimit(), csrf)
	e.GET("/account/wachtwoord", s.showChangePassword, mailWS...)
	e.POST("/account/wachtwoord", s.changePassword, mailWS...)

	// The JSON API, described in docs/openapi.yaml. Browsers never send a
	// bearer token on their own, so it needs no CSRF token. The group's
	// catch-all makes unknown API paths check the token too, then answer a
	// JSON 404, or 405 where only the method is wrong.
	e.Use(s.apiDefaults)
	api := e.Group("/api/v1", s.apiProblems, s.requireAPIToken)
	api.RouteNotFound("/*", s.apiNotFound)
	api.GET("/organisations", s.apiListOrganisations)
	api.POST("/organisations", s.apiCreateOrganisation)
	api.GET("/organisations/:id", s.apiGetOrganisation)
	api.GET("/organisations/:id/diagnostics", s.apiListDiagnostics)
	api.POST("/organisations/:id/diagnostics", s.apiCreateDiagnostic)
	api.GET("/diagnostics/:id", s.apiGetDiagnostic)
	api.POST("/diagnostics/:id/open", s.apiOpenDiagnostic)
	api.POST("/diagnostics/:id/close", s.apiCloseDiagnostic)
	api.GET("/diagnostics/:id/progress", s.apiProgress)
	api.POST("/diagnostics/:id/codes", s.apiCreateCodes)
	api.POST("/diagnostics/:id/invitations", s.apiSendInvitations)
	api.POST("/diagnostics/:id/director-mail", s.apiSendDirectorMail)
	api.GET("/diagnostics/:id/messages", s.apiMessages)

	// Results and exports. A GET only shows: a preview is recorded by its
	// own POST, so that following a link never changes what may be shown.
	e.GET("/diagnoses/:id/resultaten", s.showResults, ws...)
	e.POST("/diagnoses/:id/resultaten/voorbeeld", s.previewResults, ws...)
	for _, file := range []string{exportAggregatesCSV, exportAggregatesXLSX} {
		e.GET("/diagnoses/:id/export/"+file, s.exportResults(file), ws...)
	}
	api.GET("/diagnostics/:id/results", s.apiResults)

	// Reports and director links. The director's pages need no account:
	// the token in the path is the key, so they are rate-limited per client
	// and never indexed, cached or sent on as a referrer.
	e.GET("/diagnoses/:id/"+reportFilePDF, s.downloadReport(reportPDF), ws...)
	e.GET("/diagnoses/:id/"+reportFileHTML, s.downloadReport(reportHTML), ws...)
	e.GET("/diagnoses/:id/directielinks", s.directorLinksPage, ws...)
	e.POST("/diagnoses/:id/directielinks", s.createDirectorLink, ws...)
	e.POST("/diagnoses/:id/directielinks/:link/intrekken", s.revokeDirectorLink, ws...)
	director := []echo.MiddlewareFunc{directorHeaders, s.directorRateLimit()}
	// The director's page carries the CSRF cookie for the status forms of
	// a link with the right to update.
	e.GET("/r/:token", s.showDirector, append(director, csrf)...)
	e.POST("/r/:token/acties", s.directorCreateAction, append(director, csrf)...)
	e.POST("/r/:token/acties/:action", s.directorChangeAction, append(director, csrf)...)
	e.GET("/r/:token/"+reportFilePDF, s.directorReport(reportPDF), director...)
	e.GET("/r/:token/"+reportFileHTML, s.directorReport(reportHTML), director...)
	e.GET("/r/:token/logo.png", s.directorLogo, director...)
	e.GET("/r/:token/huisstijl.css", s.directorBrandCSS, director...)
	api.GET("/diagnostics/:id/report.pdf", s.apiReport(reportPDF))

	// The action plan (actions.go).
	e.GET("/diagnoses/:id/actieplan", s.showActionPlan, ws...)
	e.POST("/diagnoses/:id/actieplan", s.createAction, ws...)
	e.GET("/diagnoses/:id/actieplan.pdf", s.actionPlanPDF, ws...)
	e.POST("/diagnoses/:id/actieplan/:action", s.changeActionStatus, ws...)
	e.POST("/diagnoses/:id/actieplan/:action/verwijderen", s.deleteAction, ws...)
	e.GET("/diagnoses/:id/actieplan/:action/bewerken", s.editAction, ws...)
	e.POST("/diagnoses/:id/actieplan/:action/bewerken", s.updateAction, ws...)
	api.GET("/diagnostics/:id/actions", s.apiListActions)
	api.POST("/diagnostics/:id/actions", s.apiCreateAction)
	api.PATCH("/actions/:id", s.apiPatchAction)

	// Results back to employees: the summary on the respondent link
	// (respondentSummary, from the landing page) and its PDF.
	e.GET("/diagnoses/:id/samenvatting", s.showSummaryAdmin, ws...)
	e.POST("/diagnoses/:id/samenvatting", s.publishSummary, ws...)
	e.POST("/diagnoses/:id/samenvatting/intrekken", s.withdrawSummary, ws...)
	e.GET("/diagnoses/:id/samenvatting.pdf", s.summaryAdminPDF, ws...)
	e.GET("/diagnoses/:id/samenvatting/voorbeeld", s.showSummaryPreview, ws...)

	// Pulse measurements between full measurements, and their trend.
	e.POST("/diagnoses/:id/puls", s.startPulse, ws...)
	e.GET("/diagnoses/:id/pulsen", s.showPulses, ws...)
	api.GET("/diagnostics/:id/report.html", s.apiReport(reportHTML))

	return e
}

// newRequestID returns a random id; it is unrelated to anything stored.
func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
