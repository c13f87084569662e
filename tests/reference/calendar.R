# calendar.R - R reference numbers for calibration by calendar month (tests/unit/test_calendar.c).
#
# Run from the repository root:  Rscript tests/reference/calendar.R
# (R 4.2.2, survey 4.1: Debian's r-cran-survey). 30 accounts, weekly
# snapshots from 2024-01-01 for 12 weeks (January to March), account a
# starting at week 2 (a mod 5); the design is svydesign(ids = ~account),
# each month a domain (subset), O/E = svyratio(~y, ~p) with its interval
# on the log scale on t_{K'-1}, K' the accounts in the month, and the
# observed rate's svyciprop(method = "beta").
suppressMessages(library(survey))
d <- expand.grid(w = 0:11, a = 0:29)
d$date <- as.Date("2024-01-01") + 7 * d$w
d$p <- 0.02 + 0.01 * ((d$a * 7 + d$w * 3) %% 10)
d$y <- as.numeric(((d$a %% 6) == 0 & (d$w %% 3) == 0) | ((d$a * 13 + d$w * 5) %% 41) == 0)
d <- d[d$w >= (d$a %% 5) * 2, ]
d$m <- as.integer(format(d$date, "%m"))
des <- suppressWarnings(svydesign(ids = ~a, data = d))
for (mon in sort(unique(d$m))) {
  sub <- d[d$m == mon, ]
  ds <- subset(des, m == mon)
  r <- svyratio(~y, ~p, ds)
  R <- coef(r); se <- sqrt(vcov(r))
  K <- length(unique(sub$a))
  t <- qt(0.975, K - 1)
  ci <- svyciprop(~y, ds, method = "beta")
  cat(sprintf("month %d rows %d acc %d churn %d obs %.17g cp %.17g %.17g oe %.17g lo %.17g hi %.17g degf %d\n",
      mon, nrow(sub), K, sum(sub$y), mean(sub$y), attr(ci, "ci")[1], attr(ci, "ci")[2], R,
      R * exp(-t * se / R), R * exp(t * se / R), degf(ds)))
}
