# Regenerates the data sets and the expected values that the Go tests of
# internal/scoring compare with. Run it from this directory:
#
#   apt-get install -y r-base-core r-cran-psych   # Debian
#   Rscript generate.R
#
# It writes:
#   alpha_*.csv           item answers (NA = missing) for Cronbach's alpha
#   alpha_expected.csv    psych::alpha raw_alpha and r.drop per data set
#   qt_expected.csv       Student t quantiles qt(p, df)
#   pt_expected.csv       Student t distribution function pt(t, df)
#   compare_*.csv         two groups of 0-100 scores
#   compare_expected.csv  t.test intervals (one-sample and Welch), Hedges' g
#   pipeline.csv          raw responses (0 = don't know, NA = skipped)
#   pipeline_expected.csv what scoring.Compute must report for pipeline.csv
#
# Every number is written with 17 significant digits so that the Go tests can
# compare to 1e-9 or better.

suppressPackageStartupMessages(library(psych))
set.seed(20240611)

num <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
versions <- sprintf("%s, psych %s", R.version.string, packageVersion("psych"))

# Likert answers 1..5 driven by one latent factor.
likert <- function(n, k, loading = 0.7, na_rate = 0) {
  f <- rnorm(n)
  x <- sapply(seq_len(k), function(j) {
    z <- loading * f + sqrt(1 - loading^2) * rnorm(n)
    as.integer(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))
  })
  x[matrix(runif(n * k) < na_rate, n, k)] <- NA
  colnames(x) <- paste0("i", seq_len(k))
  x
}

# ---------------------------------------------------------------- alpha ----
alpha_sets <- list()
alpha_sets$a <- likert(40, 5, na_rate = 0.10)
alpha_sets$b <- likert(12, 3, loading = 0.5, na_rate = 0.25)
# c: the raw answers have a reverse-keyed item i2; the CSV holds the answers
# as given and the R side recodes 6 - x before calling alpha (the Go test
# marks i2 as reverse and lets the engine recode).
c_set <- likert(60, 4, na_rate = 0.15)
c_set[, "i2"] <- 6L - c_set[, "i2"]
alpha_sets$c <- c_set
# d: item i4 has no variance; psych drops it.
d_set <- likert(25, 4, na_rate = 0.10)
d_set[, "i4"] <- ifelse(is.na(d_set[, "i4"]), NA, 3L)
alpha_sets$d <- d_set
alpha_sets$e <- likert(30, 2, na_rate = 0.10)
# f: i3 runs against the others and is not reversed, so alpha is low.
f_set <- likert(50, 4, na_rate = 0.05)
f_set[, "i3"] <- 6L - f_set[, "i3"]
alpha_sets$f <- f_set
alpha_sets$g <- likert(500, 6, loading = 0.6, na_rate = 0.20)
# h: many missing answers, some pairs of items share few respondents.
alpha_sets$h <- likert(15, 4, loading = 0.8, na_rate = 0.40)

reverse_items <- list(c = "i2")

rows <- list()
for (name in names(alpha_sets)) {
  x <- alpha_sets[[name]]
  write.csv(x, sprintf("alpha_%s.csv", name), row.names = FALSE, na = "NA", quote = FALSE)
  y <- x
  for (it in reverse_items[[name]]) y[, it] <- 6L - y[, it]
  a <- suppressWarnings(suppressMessages(
    capture.output(res <- psych::alpha(as.data.frame(y), warnings = FALSE))))
  rows[[length(rows) + 1]] <- data.frame(set = name, item = "(total)", value = num(res$total$raw_alpha))
  rd <- rep(NA_real_, ncol(x)); names(rd) <- colnames(x)
  rd[sub("-$", "", rownames(res$item.stats))] <- res$item.stats$r.drop
  for (it in colnames(x)) rows[[length(rows) + 1]] <- data.frame(set = name, item = it, value = num(rd[[it]]))
}
write.csv(do.call(rbind, rows), "alpha_expected.csv", row.names = FALSE, quote = FALSE)

# ----------------------------------------------------------- t quantiles ----
dfs <- c(1, 1.5, 2, 3, 4.5, 7.3, 10, 29, 30.7, 100, 1000, 12345.6, 19999, 20000, 149999, 1e6)
ps <- c(0.0001, 0.001, 0.025, 0.05, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.999)
g <- expand.grid(p = ps, df = dfs)
g$q <- qt(g$p, g$df)
write.csv(data.frame(p = num(g$p), df = num(g$df), q = num(g$q)), "qt_expected.csv", row.names = FALSE, quote = FALSE)
ts <- c(-40, -3.3, -1.96, -0.5, 0, 0.3, 1, 1.96, 2.5, 3.3, 12)
g <- expand.grid(t = ts, df = dfs[dfs <= 12345.6])
g$p <- pt(g$t, g$df)
write.csv(data.frame(t = num(g$t), df = num(g$df), p = num(g$p)), "pt_expected.csv", row.names = FALSE, quote = FALSE)

# -------------------------------------------------- comparisons of groups ----
hedges <- function(a, b) {
  na <- length(a); nb <- length(b); df <- na + nb - 2
  sp <- sqrt(((na - 1) * var(a) + (nb - 1) * var(b)) / df)
  d <- (mean(a) - mean(b)) / sp
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  g <- J * d
  se <- J * sqrt((na + nb) / (na * nb) + d^2 / (2 * (na + nb)))
  c(g = g, low = g - qnorm(0.975) * se, high = g + qnorm(0.975) * se, J = J)
}
score <- function(n, mu, s) pmin(100, pmax(0, round(rnorm(n, mu, s) / 6.25) * 6.25))
cmp <- list(
  small = list(a = score(7, 60, 15), b = score(12, 48, 20)),
  equal = list(a = score(5, 55, 10), b = score(5, 57, 12)),
  large = list(a = score(40, 62, 18), b = score(23, 50, 9)),
  unequal = list(a = score(9, 70, 25), b = score(31, 66, 6))
)
rows <- list()
for (name in names(cmp)) {
  a <- cmp[[name]]$a; b <- cmp[[name]]$b
  write.csv(data.frame(group = c(rep("a", length(a)), rep("b", length(b))), value = num(c(a, b))),
            sprintf("compare_%s.csv", name), row.names = FALSE, quote = FALSE)
  w <- t.test(a, b, var.equal = FALSE)
  o <- t.test(a)
  h <- hedges(a, b)
  vals <- c(mean_a = mean(a), sd_a = sd(a), ci_a_low = o$conf.int[1], ci_a_high = o$conf.int[2],
            diff = mean(a) - mean(b), welch_low = w$conf.int[1], welch_high = w$conf.int[2],
            welch_df = unname(w$parameter), g = h[["g"]], g_low = h[["low"]], g_high = h[["high"]], J = h[["J"]])
  for (k in names(vals)) rows[[length(rows) + 1]] <- data.frame(set = name, key = k, value = num(vals[[k]]))
}
write.csv(do.call(rbind, rows), "compare_expected.csv", row.names = FALSE, quote = FALSE)

# ------------------------------------------------------------- pipeline ----
# A small questionnaire scored end to end: factor f1 (f1_3 reverse-keyed),
# factor f2, outcome items o1..o3, route r1 = 0.6 f1 + 0.4 f2. Answers 1..5,
# 0 = "weet ik niet" (missing), NA = skipped (missing).
n <- 80
lat <- rnorm(n)
item <- function(load, rev = FALSE) {
  z <- load * lat + sqrt(1 - load^2) * rnorm(n)
  v <- as.integer(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))
  if (rev) v <- 6L - v
  u <- runif(n)
  v[u < 0.06] <- 0L
  v[u > 0.94] <- NA
  v
}
p <- data.frame(
  id = sprintf("r%03d", seq_len(n)),
  # Fixed role sizes, all at least the minimum group size of 5, so that
  # both comparisons are shown.
  role = sample(rep(c("beleid", "uitvoering", "management", "ondersteuning", ""), c(22, 24, 12, 12, 10))),
  unit = sample(c("u1", "u2", "u3", "u4"), n, TRUE),
  f1_1 = item(.7), f1_2 = item(.6), f1_3 = item(.6, TRUE),
  f2_1 = item(.5), f2_2 = item(.7), f2_3 = item(.6), f2_4 = item(.4),
  o1 = item(.7), o2 = item(.6), o3 = item(.5)
)
write.csv(p, "pipeline.csv", row.names = FALSE, na = "NA", quote = FALSE)

rec <- function(v, rev = FALSE) { v[!is.na(v) & v == 0] <- NA; if (rev) 6 - v else v }
f1 <- cbind(rec(p$f1_1), rec(p$f1_2), rec(p$f1_3, TRUE))
f2 <- cbind(rec(p$f2_1), rec(p$f2_2), rec(p$f2_3), rec(p$f2_4))
oo <- cbind(rec(p$o1), rec(p$o2), rec(p$o3))
fscore <- function(m) {
  k <- ncol(m); answered <- rowSums(!is.na(m))
  s <- 100 * (rowMeans(m, na.rm = TRUE) - 1) / 4
  s[3 * answered < 2 * k] <- NA
  s
}
s1 <- fscore(f1); s2 <- fscore(f2); so <- fscore(oo)
# The analysis base: respondents with a score on every factor and on the
# outcome. Every published figure rests on it (methodology §11).
base <- !is.na(s1) & !is.na(s2) & !is.na(so)
put0 <- function(k, v) rows0[[length(rows0) + 1]] <<- data.frame(key = k, value = num(v))
rows0 <- list()
put0("responses", nrow(p)); put0("base", sum(base))
p <- p[base, ]; f1 <- f1[base, ]; f2 <- f2[base, ]; oo <- oo[base, ]
s1 <- s1[base]; s2 <- s2[base]; so <- so[base]
idx <- (s1 + s2) / 2
route <- 0.6 * s1 + 0.4 * s2

rows <- rows0
put <- function(k, v) rows[[length(rows) + 1]] <<- data.frame(key = k, value = num(v))
est <- function(prefix, s) {
  s <- s[!is.na(s)]
  put(paste0(prefix, ".n"), length(s)); put(paste0(prefix, ".mean"), mean(s)); put(paste0(prefix, ".sd"), sd(s))
  ci <- t.test(s)$conf.int
  put(paste0(prefix, ".ci_low"), ci[1]); put(paste0(prefix, ".ci_high"), ci[2])
}
est("f1", s1); est("f2", s2); est("index", idx); est("outcome", so); est("r1", route)
for (nm in c("f1", "f2")) {
  m <- if (nm == "f1") f1 else f2
  a <- suppressWarnings(suppressMessages(capture.output(res <- psych::alpha(as.data.frame(m), warnings = FALSE))))
  put(paste0(nm, ".alpha"), res$total$raw_alpha)
  # Items publish only the don't-know share and the collapsed shares of
  # the answered, as answered (a reverse item is not recoded back).
  for (j in seq_len(ncol(m))) {
    raw <- p[[sprintf("%s_%d", nm, j)]]
    ans <- raw[!is.na(raw) & raw > 0]
    dk <- sum(!is.na(raw) & raw == 0)
    put(sprintf("%s.item%d.dont_know", nm, j), dk)
    put(sprintf("%s.item%d.dont_know_share", nm, j), dk / (dk + length(ans)))
    put(sprintf("%s.item%d.disagree", nm, j), mean(ans < 3))
    put(sprintf("%s.item%d.neutral", nm, j), mean(ans == 3))
    put(sprintf("%s.item%d.agree", nm, j), mean(ans > 3))
  }
}
put("f1.impact", cor(s1, so, use = "complete.obs"))
put("f2.impact", cor(s2, so, use = "complete.obs"))
gap <- function(prefix, a, b) {
  w <- t.test(a, b, var.equal = FALSE); h <- hedges(a, b)
  put(paste0(prefix, ".n_a"), length(a)); put(paste0(prefix, ".n_b"), length(b))
  put(paste0(prefix, ".diff"), mean(a) - mean(b))
  put(paste0(prefix, ".ci_low"), w$conf.int[1]); put(paste0(prefix, ".ci_high"), w$conf.int[2])
  put(paste0(prefix, ".df"), unname(w$parameter))
  put(paste0(prefix, ".g"), h[["g"]]); put(paste0(prefix, ".g_low"), h[["low"]]); put(paste0(prefix, ".g_high"), h[["high"]])
}
for (nm in c("f1", "f2", "index")) {
  s <- switch(nm, f1 = s1, f2 = s2, index = idx)
  ok <- !is.na(s)
  gap(paste0("policy_vs_execution.", nm), s[ok & p$role == "beleid"], s[ok & p$role == "uitvoering"])
  gap(paste0("management_vs_rest.", nm), s[ok & p$role == "management"], s[ok & p$role != "management"])
}
out <- do.call(rbind, rows)
write.csv(out, "pipeline_expected.csv", row.names = FALSE, quote = FALSE)
writeLines(versions, "R_VERSION")
