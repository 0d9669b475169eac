package report

import (
	"fmt"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// labels holds the fixed words of the report in one language. They live in
// code, not in the advice library: a consultancy may rewrite the advice,
// but the meaning of "bandbreedte" or of a hidden cell is part of the
// method and must not drift.
type labels struct {
	Title, TitleShort                               string
	Contents                                        string
	Organisation, Diagnostic, Period, Respondents   string
	ResponseRate, Questionnaire, ReportDate, Author string
	Sector                                          string
	CoverNote                                       string
	Page                                            string // "Pagina %d van %d"
	PreparedBy                                      string // "Opgesteld door"

	Summary, Factors, Routes, Gap, Units, Trend, Method, Appendix string

	Index, IndexLong       string
	Interval               string
	Profile                string
	ProfileCaption         string
	TrafficLight           string
	Priorities, Conclusion string
	PrioritiesNone         string
	// PrioritiesFew heads a list of fewer than three priorities;
	// PrioritiesAllGreen says why there is none when factors are shown.
	PrioritiesFew      string
	PrioritiesAllGreen string
	// Priority basis: the sentence above the list, one per situation, and
	// the reason given with each priority.
	BasisAllImpact, BasisAllScore, BasisMixed string
	ForScore                                  string
	WithResults                               string
	// The policy-execution conclusion (section 15 of the methodology).
	GapIndexNone, GapIndexDiff, GapHidden, GapFactors, GapFactorItem string
	Higher, And                                                      string
	PossibleSig, PossibleSubst, PossibleBoth                         string
	Score, Band, N                                                   string
	Factor, Measure, Route                                           string
	Disagree, Neutral, Agree                                         string
	DontKnow                                                         string
	Strongest, Weakest                                               string
	Reverse                                                          string
	Distribution                                                     string
	DistributionNote                                                 string
	Reliability                                                      string
	Items                                                            string

	RoutesIntro   string
	RouteMeaning  string
	Step, Owner   string
	Horizon       string
	PriorityHead  string
	WeakLink      string
	GapAdviceHead string
	NoAdvice      string

	GapIntro      string
	Difference    string
	Verdict       string
	Rest          string
	GapNotShown   string
	GapAxis       string
	TrendAxis     string
	ManagementCmp string

	UnitsIntro  string
	Unit, Role  string
	Roles       string
	NotStated   string
	OtherGroups string
	OtherRoles  string
	TooFew      string
	HeatCaption string
	RoleCaption string

	TrendIntro       string
	TrendSummary     string
	Previous, Now    string
	NoTrend          string
	BenchmarkHead    string
	BenchmarkText    string
	NoBenchmark      string
	TrendCaption     string
	BenchmarkNoScore string

	// BenchmarkPositions words the coarse position of the index in the
	// sector (docs/methodology.md §9).
	BenchmarkPositions map[survey.BenchmarkPosition]string

	MethodScores      string
	MethodIntervals   string
	MethodBands       string
	MethodDontKnow    string
	MethodImpact      string
	MethodImpactPool  string
	MethodAnonymity   string
	MethodSuppression string
	MethodVerdicts    string
	MethodVersion     string
	Alpha             string
	ItemCount         string
	AlphaNote         string
	AlphaOK           string
	AlphaCare         string
	AlphaUndefined    string
	AlphaImpossible   string
	AlphaHidden       string
	Dropped           string

	ItemsIntro   string
	Outcomes     string
	ReverseNote  string
	NotShownItem string

	Reasons map[survey.SuppressionReason]string
	// Markers are the footnote letters of hidden cells in the heat maps.
	Markers map[survey.SuppressionReason]string

	bandWord    map[survey.Band]string
	bandMeaning map[survey.Band]string
}

// BandWord is the colour word of a band, for a traffic light that is never
// colour alone.
func (l *labels) BandWord(b survey.Band) string { return l.bandWord[b] }

// BandMeaning is what a band means for a director.
func (l *labels) BandMeaning(b survey.Band) string { return l.bandMeaning[b] }

func (l *labels) reason(r survey.SuppressionReason) string {
	if s, ok := l.Reasons[r]; ok {
		return s
	}
	return l.Reasons[survey.ReasonNotApplicable]
}

func (l *labels) marker(r survey.SuppressionReason) string {
	if s, ok := l.Markers[r]; ok {
		return s
	}
	return l.Markers[survey.ReasonNotApplicable]
}

func labelsFor(lang string) *labels {
	if lang == "en" {
		return english()
	}
	return dutch()
}

func markers() map[survey.SuppressionReason]string {
	return map[survey.SuppressionReason]string{
		survey.ReasonTooSmall:       "a",
		survey.ReasonComplementary:  "b",
		survey.ReasonCrossBreakdown: "b",
		survey.ReasonPreviousWave:   "b",
		survey.ReasonEarlierRelease: "b",
		survey.ReasonGroupHidden:    "b",
		survey.ReasonNotApplicable:  "c",
	}
}

func dutch() *labels {
	return &labels{
		Title:         "Adviesrapport uitvoeringskracht",
		TitleShort:    "Uitvoeringskracht",
		PreparedBy:    "Opgesteld door",
		Contents:      "Inhoud",
		Organisation:  "Organisatie",
		Diagnostic:    "Meting",
		Period:        "Periode",
		Respondents:   "Respondenten",
		ResponseRate:  "Respons",
		Questionnaire: "Vragenlijst",
		ReportDate:    "Datum rapport",
		Author:        "Opgesteld door",
		Sector:        "Sector",
		CoverNote: "Dit rapport toont alleen uitkomsten van groepen van ten minste %d respondenten. " +
			"Niemand is in de cijfers herkenbaar.",
		Page: "Pagina %d van %d",

		Summary:  "Samenvatting",
		Factors:  "De vijf factoren",
		Routes:   "Routes en advies",
		Gap:      "Beleid en uitvoering",
		Units:    "Onderdelen",
		Trend:    "Ontwikkeling en vergelijking",
		Method:   "Methode en anonimiteit",
		Appendix: "Bijlage: alle stellingen",

		Index:          "Index",
		IndexLong:      "Uitvoeringskracht-index",
		Interval:       "bandbreedte",
		Profile:        "Profiel over de vijf factoren",
		ProfileCaption: "Score per factor (0–100) met bandbreedte; achtergrond: rood onder %s, oranje van %s tot %s, groen vanaf %s.",
		TrafficLight:   "Stoplicht",
		Priorities:     "Drie prioriteiten",
		Conclusion:     "Beleid en uitvoering",
		PrioritiesNone: "Er zijn geen prioriteiten te bepalen: geen enkele factorscore kan worden getoond.",
		PrioritiesFew:  "Prioriteiten",
		PrioritiesAllGreen: "Er is geen prioriteit aan te wijzen: de hoogst scorende factor staat op groen en is daarom geen prioriteit, " +
			"en er is geen andere factor die getoond kan worden.",
		BasisAllImpact: "Gekozen om hun aantoonbare samenhang met het resultaat, in volgorde van (100 − score) × samenhang.",
		BasisAllScore: "Geen van deze factoren hangt aantoonbaar (ten minste zwak) samen met het resultaat. " +
			"De prioriteiten zijn daarom de factoren met de laagste score.",
		BasisMixed: "Eerst de factoren die aantoonbaar (ten minste zwak) samenhangen met het resultaat, gerangschikt op (100 − score) × samenhang; " +
			"daarna de factoren met de laagste score.",
		ForScore:         "gekozen om de lage score",
		WithResults:      " met het resultaat",
		GapIndexNone:     "Op de index als geheel %s tussen %s en %s: %s geeft de index een %s, %s een %s.",
		GapIndexDiff:     "%s op de index%s: %s ziet meer uitvoeringskracht dan %s (index %s tegen %s, een kloof van %s punten).",
		GapHidden:        "Het verschil tussen beleid en uitvoering op de index kan niet worden getoond: een van beide groepen is te klein, of verborgen om respondenten te beschermen.",
		GapFactors:       "Een duidelijk verschil tussen %s en %s is er bij %s.",
		GapFactorItem:    "%s (%s %s hoger)",
		Higher:           "hoger",
		And:              " en ",
		PossibleSig:      "aantoonbaar, maar kleiner dan 5 punten",
		PossibleSubst:    "5 punten of meer, nog niet aantoonbaar",
		PossibleBoth:     "5 punten of meer en aantoonbaar, maar de effectgrootte is nog onzeker",
		Score:            "Score",
		Band:             "Band",
		N:                "n",
		Factor:           "Factor",
		Measure:          "Onderwerp",
		Route:            "Route",
		Disagree:         "oneens",
		Neutral:          "neutraal",
		Agree:            "eens",
		DontKnow:         "weet ik niet",
		Strongest:        "Sterkste punt",
		Weakest:          "Zwakste punt",
		Reverse:          "negatief geformuleerd; de score is omgerekend, dus hoe hoger hoe gunstiger",
		Distribution:     "Verdeling van de antwoorden",
		DistributionNote: "Omgekeerd geformuleerde stellingen zijn omgerekend, zodat ‘eens’ hier altijd de gunstige kant is.",
		Reliability:      "Betrouwbaarheid",
		Items:            "stellingen",

		RoutesIntro: "Drie routes leiden naar meer uitvoeringskracht. De score van een route is een gewogen gemiddelde " +
			"van de factoren die het zwaarst op die route wegen. Per route volgen een korte diagnose en concrete stappen, " +
			"met een voorgestelde eigenaar en termijn.",
		RouteMeaning:  "Wat dit betekent",
		Step:          "Stap",
		Owner:         "Eigenaar",
		Horizon:       "Termijn",
		PriorityHead:  "Stappen per prioriteit",
		WeakLink:      "Deze factor hangt in deze meting niet aantoonbaar samen met het resultaat; pak hem op na de andere prioriteiten.",
		GapAdviceHead: "Kloof tussen beleid en uitvoering",
		NoAdvice:      "Voor deze uitkomst is geen advies in de adviesbibliotheek opgenomen.",

		GapIntro: "Hoe verschillend kijken beleid en uitvoering naar de organisatie? De grafiek toont per onderwerp " +
			"het verschil in score (%s min %s) met de bandbreedte van dat verschil. " +
			"Raakt de bandbreedte de nullijn, dan kan het verschil ook toeval zijn.",
		Difference:    "Verschil",
		Verdict:       "Oordeel",
		Rest:          "Alle anderen",
		GapNotShown:   "niet getoond",
		GapAxis:       "verschil in punten (%s min %s)",
		TrendAxis:     "verandering in punten (nu min vorige meting)",
		ManagementCmp: "Management tegenover de rest van de organisatie",

		UnitsIntro: "De tabel toont de index en de vijf factoren per onderdeel. Een onderdeel met minder dan %d respondenten " +
			"wordt niet getoond (a); soms wordt ook een groter onderdeel verborgen, omdat anders de uitkomst van een kleine groep " +
			"kan worden uitgerekend (b). Verborgen onderdelen zijn samen getoond als ‘overige onderdelen’ wanneer dat veilig kan.",
		Unit:        "Onderdeel",
		Role:        "Rol",
		Roles:       "Rollen",
		NotStated:   "Niet opgegeven",
		OtherGroups: "Overige onderdelen samen",
		OtherRoles:  "Overige rollen samen",
		TooFew:      "minder dan %d respondenten",
		HeatCaption: "Scores per onderdeel (0–100)",
		RoleCaption: "Scores per rol (0–100)",

		TrendSummary:     "Sinds de vorige meting: index %s punten (%s).",
		TrendIntro:       "Vergeleken met de vorige meting (%s respondenten). Het verschil is ‘nu min vorige meting’, met de bandbreedte van dat verschil.",
		Previous:         "Vorige meting",
		Now:              "Nu",
		NoTrend:          "Dit is de eerste meting van deze organisatie met deze vragenlijst. Bij een volgende meting toont dit hoofdstuk de ontwikkeling.",
		BenchmarkHead:    "Vergelijking met de sector",
		BenchmarkText:    "Met een index van %s staat de organisatie %s van de %s die deze vragenlijst gebruikten (ten minste vijf, van andere adviesbureaus).",
		NoBenchmark:      "Een vergelijking met de sector is nog niet beschikbaar: daarvoor zijn afgeronde metingen van ten minste vijf organisaties uit dezelfde sector nodig, van ten minste drie andere adviesbureaus.",
		TrendCaption:     "Verandering per onderwerp sinds de vorige meting",
		BenchmarkNoScore: "De index kan niet worden getoond, dus ook niet worden vergeleken.",

		BenchmarkPositions: map[survey.BenchmarkPosition]string{
			survey.BenchmarkLowest: "bij de laagste 20 %", survey.BenchmarkBelowMiddle: "onder het midden", survey.BenchmarkMiddle: "rond het midden",
			survey.BenchmarkAboveMiddle: "boven het midden", survey.BenchmarkHighest: "bij de hoogste 20 %",
		},

		MethodScores: "Elke stelling wordt beantwoord op een schaal van 1 (helemaal oneens) tot 5 (helemaal eens). " +
			"Omgekeerd geformuleerde stellingen worden omgerekend, zodat een hoge score altijd meer uitvoeringskracht betekent. " +
			"Een factorscore is het gemiddelde van de beantwoorde stellingen van die factor, omgezet naar 0 tot 100; " +
			"iemand krijgt alleen een factorscore als hij ten minste twee derde van de stellingen heeft beantwoord. " +
			"De index is het gemiddelde van de vijf factorscores, voor respondenten met een score op alle factoren. " +
			"Een route is een gewogen gemiddelde van de factorscores.",
		MethodIntervals: "De bandbreedte is het 95%-betrouwbaarheidsinterval: bij herhaling van de meting onder vergelijkbare " +
			"medewerkers ligt het gemiddelde in 95 van de 100 gevallen binnen deze marges. Hoe meer respondenten, hoe smaller de bandbreedte.",
		MethodBands:    "Kleuren: rood onder %s, oranje van %s tot %s, groen vanaf %s. De kleur staat altijd naast het woord en het getal.",
		MethodDontKnow: "‘Weet ik niet / niet van toepassing’ telt als ontbrekend antwoord, nooit als het midden van de schaal.",
		MethodImpact: "Prioriteiten: per factor is berekend hoe sterk de factorscore samenhangt met de uitkomststellingen " +
			"(lukt het beleid om te zetten in resultaat?), als correlatie r. Alleen een samenhang die statistisch aantoonbaar is " +
			"(5%%-niveau) krijgt een woord sterker dan ‘geen aantoonbare samenhang’: verwaarloosbaar onder 0,10, zwak van 0,10, " +
			"matig van 0,30, sterk vanaf 0,50. Factoren met een aantoonbare, ten minste zwakke samenhang komen eerst, " +
			"gerangschikt op (100 − score) × samenhang; daarna volgen de factoren met de laagste score. " +
			"De hoogst scorende factor is nooit een prioriteit als hij op groen staat. De samenhang is geschat op %s respondenten.",
		MethodImpactPool: " Omdat deze meting minder dan 30 respondenten had, zijn daarvoor ook afgeronde metingen van andere organisaties met deze vragenlijst gebruikt; alleen de samenhang komt uit die metingen.",
		MethodAnonymity: "Anonimiteit: de vragenlijst slaat geen naam, e-mailadres, IP-adres of tijdstip op, alleen de datum. " +
			"Uitkomsten van een groep (onderdeel of rol) worden alleen getoond bij ten minste %d respondenten; " +
			"van een kleinere groep wordt ook het aantal niet genoemd.",
		MethodSuppression: "Soms wordt ook een grotere groep verborgen: wanneer de uitkomst van een kleine groep anders kan worden " +
			"uitgerekend door getoonde groepen van het totaal af te trekken, door onderdelen en rollen te combineren, of door " +
			"deze meting met de vorige te vergelijken.",
		MethodVerdicts: "Verschillen tussen groepen krijgen een oordeel in woorden. Duidelijk verschil: het verschil is ten minste 5 punten " +
			"en statistisch aantoonbaar (ook de effectgrootte wijkt aantoonbaar af van nul). Mogelijk verschil: het verschil is " +
			"aantoonbaar maar kleiner dan 5 punten, of 5 punten of meer maar (nog) niet aantoonbaar, of 5 punten of meer en " +
			"aantoonbaar terwijl de effectgrootte nog niet aantoonbaar van nul verschilt. Geen aantoonbaar verschil: " +
			"kleiner dan 5 punten en niet aantoonbaar. Het verschil telt zoals het is afgedrukt (op één decimaal).",
		MethodVersion:  "Vragenlijst: %s, versie %s. Minimale groepsgrootte: %d.",
		Alpha:          "Cronbachs alfa",
		ItemCount:      "Stellingen",
		AlphaNote:      "Betrouwbaarheid per factor. Een alfa van 0,70 of hoger betekent dat de stellingen van de factor goed samen één onderwerp meten.",
		AlphaOK:        "voldoende",
		AlphaCare:      "lager dan 0,70: lees de score als indicatie",
		AlphaUndefined: "niet te berekenen: lees de score als indicatie",
		AlphaImpossible: "boven 1 en daarom niet te interpreteren (te weinig respondenten beantwoordden de stellingen samen): " +
			"lees de score als indicatie",
		AlphaHidden: "niet getoond, omdat de factorscore niet wordt getoond",
		Dropped:     "zonder spreiding, niet meegeteld: %s",

		ItemsIntro:   "Alle stellingen met het aantal antwoorden, de gemiddelde score (0–100, omgekeerde stellingen omgerekend) en de verdeling zoals geantwoord.",
		Outcomes:     "Uitkomst: lukt het beleid om te zetten in resultaat?",
		ReverseNote:  "(omgekeerd)",
		NotShownItem: "te weinig antwoorden",

		Reasons: map[survey.SuppressionReason]string{
			survey.ReasonTooSmall:       "minder respondenten dan de minimale groepsgrootte",
			survey.ReasonComplementary:  "verborgen zodat een kleine groep niet kan worden uitgerekend",
			survey.ReasonCrossBreakdown: "verborgen zodat een kleine groep niet via de rollen kan worden uitgerekend",
			survey.ReasonPreviousWave:   "verborgen zodat een kleine groep niet via de vorige meting kan worden uitgerekend",
			survey.ReasonEarlierRelease: "verborgen zodat een kleine groep niet via een eerdere weergave van deze resultaten kan worden uitgerekend",
			survey.ReasonGroupHidden:    "de groep is verborgen",
			survey.ReasonNotApplicable:  "niet te berekenen",
		},
		Markers: markers(),
		bandWord: map[survey.Band]string{
			survey.BandRed: "rood", survey.BandAmber: "oranje", survey.BandGreen: "groen",
		},
		bandMeaning: map[survey.Band]string{
			survey.BandRed:   "vraagt directe aandacht",
			survey.BandAmber: "kwetsbaar, verbetering nodig",
			survey.BandGreen: "op orde, vasthouden",
		},
	}
}

func english() *labels {
	return &labels{
		Title:         "Execution power advice report",
		TitleShort:    "Execution power",
		PreparedBy:    "Prepared by",
		Contents:      "Contents",
		Organisation:  "Organisation",
		Diagnostic:    "Survey",
		Period:        "Period",
		Respondents:   "Respondents",
		ResponseRate:  "Response rate",
		Questionnaire: "Questionnaire",
		ReportDate:    "Report date",
		Author:        "Prepared by",
		Sector:        "Sector",
		CoverNote: "This report only shows results of groups of at least %d respondents. " +
			"Nobody can be recognised in the figures.",
		Page: "Page %d of %d",

		Summary:  "Summary",
		Factors:  "The five factors",
		Routes:   "Routes and advice",
		Gap:      "Policy and execution",
		Units:    "Units",
		Trend:    "Trend and benchmark",
		Method:   "Method and anonymity",
		Appendix: "Appendix: all statements",

		Index:          "Index",
		IndexLong:      "Execution power index",
		Interval:       "interval",
		Profile:        "Profile across the five factors",
		ProfileCaption: "Score per factor (0–100) with its interval; background: red below %s, amber from %s to %s, green from %s.",
		TrafficLight:   "Traffic light",
		Priorities:     "Three priorities",
		Conclusion:     "Policy and execution",
		PrioritiesNone: "No priorities can be set: no factor score can be shown.",
		PrioritiesFew:  "Priorities",
		PrioritiesAllGreen: "No priority can be set: the highest-scoring factor is green and therefore not a priority, " +
			"and no other factor can be shown.",
		BasisAllImpact: "Chosen for their demonstrable link with results, in order of (100 − score) × link.",
		BasisAllScore: "None of these factors is demonstrably (at least weakly) linked to results. " +
			"The priorities are therefore the factors with the lowest scores.",
		BasisMixed: "First the factors that are demonstrably (at least weakly) linked to results, ranked by (100 − score) × link; " +
			"then the factors with the lowest scores.",
		ForScore:         "chosen for its low score",
		WithResults:      " with results",
		GapIndexNone:     "On the index as a whole, %s between %s and %s: %s rates the index %s, %s %s.",
		GapIndexDiff:     "%s on the index%s: %s sees more execution power than %s (index %s against %s, a gap of %s points).",
		GapHidden:        "The difference between policy and execution on the index cannot be shown: one of the groups is too small, or hidden to protect respondents.",
		GapFactors:       "There is a clear difference between %s and %s on %s.",
		GapFactorItem:    "%s (%s %s higher)",
		Higher:           "higher",
		And:              " and ",
		PossibleSig:      "demonstrable, but below 5 points",
		PossibleSubst:    "5 points or more, not yet demonstrable",
		PossibleBoth:     "5 points or more and demonstrable, but the effect size is still uncertain",
		Score:            "Score",
		Band:             "Band",
		N:                "n",
		Factor:           "Factor",
		Measure:          "Measure",
		Route:            "Route",
		Disagree:         "disagree",
		Neutral:          "neutral",
		Agree:            "agree",
		DontKnow:         "don’t know",
		Strongest:        "Strongest point",
		Weakest:          "Weakest point",
		Reverse:          "negatively worded; the score is recoded, so higher is better",
		Distribution:     "Distribution of answers",
		DistributionNote: "Negatively worded statements are recoded, so that ‘agree’ is always the favourable side here.",
		Reliability:      "Reliability",
		Items:            "statements",

		RoutesIntro: "Three routes lead to more execution power. A route’s score is a weighted mean of the factors that " +
			"weigh most on that route. Each route comes with a short diagnosis and concrete steps, with a suggested owner and horizon.",
		RouteMeaning:  "What this means",
		Step:          "Step",
		Owner:         "Owner",
		Horizon:       "Horizon",
		PriorityHead:  "Steps per priority",
		WeakLink:      "In this survey this factor is not demonstrably linked to results; take it up after the other priorities.",
		GapAdviceHead: "Gap between policy and execution",
		NoAdvice:      "The advice library has no advice for this outcome.",

		GapIntro: "How differently do policy and execution see the organisation? The chart shows, per measure, the " +
			"difference in score (%s minus %s) with the interval of that difference. " +
			"When the interval touches the zero line, the difference may be chance.",
		Difference:    "Difference",
		Verdict:       "Verdict",
		Rest:          "Everyone else",
		GapNotShown:   "not shown",
		GapAxis:       "difference in points (%s minus %s)",
		TrendAxis:     "change in points (now minus previous survey)",
		ManagementCmp: "Management compared with the rest of the organisation",

		UnitsIntro: "The table shows the index and the five factors per unit. A unit with fewer than %d respondents is not " +
			"shown (a); sometimes a larger unit is hidden too, because otherwise the result of a small group could be " +
			"calculated (b). Hidden units are shown together as ‘other units’ when that is safe.",
		Unit:        "Unit",
		Role:        "Role",
		Roles:       "Roles",
		NotStated:   "Not stated",
		OtherGroups: "Other units together",
		OtherRoles:  "Other roles together",
		TooFew:      "fewer than %d respondents",
		HeatCaption: "Scores per unit (0–100)",
		RoleCaption: "Scores per role (0–100)",

		TrendSummary:     "Since the previous survey: index %s points (%s).",
		TrendIntro:       "Compared with the previous survey (%s respondents). The change is ‘now minus previous survey’, with the interval of that change.",
		Previous:         "Previous",
		Now:              "Now",
		NoTrend:          "This is the organisation’s first survey with this questionnaire. After the next one, this chapter shows the trend.",
		BenchmarkHead:    "Sector benchmark",
		BenchmarkText:    "With an index of %s, the organisation is %s of the %s that used this questionnaire (at least five, of other consultancies).",
		NoBenchmark:      "A sector benchmark is not yet available: it needs closed surveys of at least five organisations in the same sector, from at least three other consultancies.",
		TrendCaption:     "Change per measure since the previous survey",
		BenchmarkNoScore: "The index cannot be shown, so it cannot be compared either.",

		BenchmarkPositions: map[survey.BenchmarkPosition]string{
			survey.BenchmarkLowest: "among the lowest 20 %", survey.BenchmarkBelowMiddle: "below the middle", survey.BenchmarkMiddle: "around the middle",
			survey.BenchmarkAboveMiddle: "above the middle", survey.BenchmarkHighest: "among the highest 20 %",
		},

		MethodScores: "Every statement is answered on a scale from 1 (strongly disagree) to 5 (strongly agree). " +
			"Negatively worded statements are recoded, so that a high score always means more execution power. " +
			"A factor score is the mean of the answered statements of that factor, converted to 0 to 100; " +
			"a respondent only gets a factor score when they answered at least two thirds of its statements. " +
			"The index is the mean of the five factor scores, for respondents with a score on every factor. " +
			"A route is a weighted mean of the factor scores.",
		MethodIntervals: "The interval is the 95% confidence interval: if the survey were repeated among comparable staff, the " +
			"mean would fall within these margins in 95 out of 100 cases. The more respondents, the narrower the interval.",
		MethodBands:    "Colours: red below %s, amber from %s to %s, green from %s. The colour always stands next to the word and the number.",
		MethodDontKnow: "‘Don’t know / not applicable’ counts as a missing answer, never as the middle of the scale.",
		MethodImpact: "Priorities: for each factor we calculated how strongly its score is linked to the outcome statements " +
			"(does the organisation turn policy into results?), as a correlation r. Only a statistically demonstrable link " +
			"(5%% level) gets a word stronger than ‘no demonstrable link’: negligible below 0.10, weak from 0.10, moderate from " +
			"0.30, strong from 0.50. Factors with a demonstrable, at least weak link come first, ranked by (100 − score) × link; " +
			"then the factors with the lowest scores follow. The highest-scoring factor is never a priority when it is green. " +
			"The link was estimated on %s respondents.",
		MethodImpactPool: " Because this survey had fewer than 30 respondents, closed surveys of other organisations with this questionnaire were added for this; only the link comes from them.",
		MethodAnonymity: "Anonymity: the questionnaire stores no name, e-mail address, IP address or time of day, only the date. " +
			"Results of a group (unit or role) are only shown for at least %d respondents; " +
			"for a smaller group not even the number is given.",
		MethodSuppression: "Sometimes a larger group is hidden too: when the result of a small group could otherwise be " +
			"calculated by subtracting shown groups from the total, by combining units and roles, or by comparing this survey " +
			"with the previous one.",
		MethodVerdicts: "Differences between groups get a verdict in words. Clear difference: the difference is at least 5 points " +
			"and statistically demonstrable (the effect size also differs demonstrably from zero). Possible difference: " +
			"demonstrable but smaller than 5 points, or 5 points or more but not (yet) demonstrable, or 5 points or more and " +
			"demonstrable while the effect size does not yet differ demonstrably from zero. No demonstrable difference: " +
			"smaller than 5 points and not demonstrable. The difference counts as printed (to one decimal).",
		MethodVersion:  "Questionnaire: %s, version %s. Minimum group size: %d.",
		Alpha:          "Cronbach’s alpha",
		ItemCount:      "Statements",
		AlphaNote:      "Reliability per factor. An alpha of 0.70 or higher means the factor’s statements measure one subject well together.",
		AlphaOK:        "sufficient",
		AlphaCare:      "below 0.70: read the score as an indication",
		AlphaUndefined: "cannot be calculated: read the score as an indication",
		AlphaImpossible: "above 1 and therefore not interpretable (too few respondents answered the statements together): " +
			"read the score as an indication",
		AlphaHidden: "not shown, because the factor score is not shown",
		Dropped:     "without variance, left out: %s",

		ItemsIntro:   "All statements with the number of answers, the mean score (0–100, negatively worded statements recoded) and the distribution as answered.",
		Outcomes:     "Outcome: does the organisation turn policy into results?",
		ReverseNote:  "(negative)",
		NotShownItem: "too few answers",

		Reasons: map[survey.SuppressionReason]string{
			survey.ReasonTooSmall:       "fewer respondents than the minimum group size",
			survey.ReasonComplementary:  "hidden so that a small group cannot be calculated",
			survey.ReasonCrossBreakdown: "hidden so that a small group cannot be calculated through the roles",
			survey.ReasonPreviousWave:   "hidden so that a small group cannot be calculated through the previous survey",
			survey.ReasonEarlierRelease: "hidden so that a small group cannot be calculated through an earlier view of these results",
			survey.ReasonGroupHidden:    "the group is hidden",
			survey.ReasonNotApplicable:  "cannot be calculated",
		},
		Markers: markers(),
		bandWord: map[survey.Band]string{
			survey.BandRed: "red", survey.BandAmber: "amber", survey.BandGreen: "green",
		},
		bandMeaning: map[survey.Band]string{
			survey.BandRed:   "needs attention now",
			survey.BandAmber: "vulnerable, needs improvement",
			survey.BandGreen: "in order, keep it up",
		},
	}
}

// sectorName names a sector, singular for the cover and plural for the
// benchmark sentence.
func sectorName(lang string, s survey.Sector, plural bool) string {
	type names struct{ one, many string }
	var m map[survey.Sector]names
	if lang == "en" {
		m = map[survey.Sector]names{
			survey.SectorMunicipality: {"Municipality", "municipalities"},
			survey.SectorProvince:     {"Province", "provinces"},
			survey.SectorWaterBoard:   {"Water authority", "water authorities"},
			survey.SectorMinistry:     {"Ministry", "ministries"},
			survey.SectorAgency:       {"Implementing agency", "implementing agencies"},
			survey.SectorZBO:          {"Independent administrative body", "independent administrative bodies"},
			survey.SectorOther:        {"Other", "organisations"},
		}
	} else {
		m = map[survey.Sector]names{
			survey.SectorMunicipality: {"Gemeente", "gemeenten"},
			survey.SectorProvince:     {"Provincie", "provincies"},
			survey.SectorWaterBoard:   {"Waterschap", "waterschappen"},
			survey.SectorMinistry:     {"Ministerie", "ministeries"},
			survey.SectorAgency:       {"Uitvoeringsorganisatie", "uitvoeringsorganisaties"},
			survey.SectorZBO:          {"Zelfstandig bestuursorgaan", "zelfstandige bestuursorganen"},
			survey.SectorOther:        {"Overig", "organisaties"},
		}
	}
	n, ok := m[s]
	if !ok {
		n = m[survey.SectorOther]
	}
	if plural {
		return n.many
	}
	return n.one
}

// sprintf keeps the format strings above readable where they take values.
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
