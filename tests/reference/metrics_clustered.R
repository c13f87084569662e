# metrics_clustered.R - R reference numbers for the cluster-robust ratio estimators and recalibration design effects in tests/unit/test_metrics_clustered.c.
#
# Run from the repository root:  Rscript tests/reference/metrics_clustered.R
# (R 4.2.2, sandwich 3.x; survey 4.1, r-cran-survey, for the check of the
# clustered proportions at the end). The linearised variance of a ratio that survey::svyratio computes for
# svydesign(ids = ~cl) is written out by hand (Cochran 1977, 6.11; Lumley
# 2010, 2.3): var(R) = K/(K-1) sum_k (a_k - R b_k)^2 / B^2 over the K
# clusters. The recalibration design effects use sandwich::vcovCL on glm
# fits converged to epsilon = 1e-14 (the default 1e-8 leaves ~1e-6 in them).
suppressPackageStartupMessages(library(sandwich))
cl <- c(0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6,
        7, 7, 8, 8, 8, 9, 9, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11)
y <- c(1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
       0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1)
p <- c(0.5, 0.7, 0.5, 0.4, 0.3, 0.5, 0.5, 0.4, 0.6, 0.7, 0.2, 0.2, 0.3, 0.3, 0.2, 0.5,
       0.3, 0.1, 0.2, 0.4, 0.1, 0.2, 0.2, 0.3, 0.1, 0.4, 0.5, 0.2, 0.5, 0.7, 0.3, 0.6,
       0.3, 0.8, 0.4, 0.6, 0.8, 0.7, 0.6, 0.3, 0.1, 0.5, 0.2, 0.3)
band <- ifelse(p >= 0.5, 0, ifelse(p >= 0.3, 1, 2))   # 0 = red

wilson <- function(phat, n, z = qnorm(0.975)) {   # prop.test(correct = FALSE) at real n
  c((phat + z^2/(2*n) - z * sqrt(phat*(1-phat)/n + z^2/(4*n^2))) / (1 + z^2/n),
    (phat + z^2/(2*n) + z * sqrt(phat*(1-phat)/n + z^2/(4*n^2))) / (1 + z^2/n))
}
ratio <- function(a, b, label, proportion = TRUE) {
  A <- tapply(a, cl, sum); B <- tapply(b, cl, sum); K <- length(A)
  R <- sum(a) / sum(b)
  v <- K / (K - 1) * sum((A - R * B)^2) / sum(b)^2
  n <- sum(b != 0)
  v0 <- n / (n - 1) * sum(((a - R * b)[b != 0])^2) / sum(b)^2
  deff <- if (v0 > 0) v / v0 else 1
  cat(sprintf("%-10s R %.17g se %.17g se0 %.17g deff %.17g\n", label, R, sqrt(v), sqrt(v0), deff))
  # Korn & Graubard (1998): the variance rests on Kd - 1 degrees of
  # freedom, Kd the clusters in the domain (with b > 0), when some cluster
  # has several rows; t replaces z and the effective size is n_eff (z/t)^2.
  Kd <- sum(B > 0)
  q <- if (n > Kd && Kd >= 2) qt(0.975, Kd - 1) else qnorm(0.975)
  if (proportion) {
    # Clustered, 0 < R < 1: survey::svyciprop(method = "beta")'s effective
    # size R (1 - R) / var(R) (t_{n-1} / t_{Kd-1})^2, capped at the rows
    # (a design effect below 1 does not narrow the interval); a rate of 0
    # or 1 has no spread: each cluster in the domain counts once.
    clustered <- n > Kd && Kd >= 2
    neff <- if (R > 0 && R < 1 && clustered && v > 0)
      min(R * (1 - R) / v, sum(b)) * (qt(0.975, n - 1) / q)^2
    else if (R > 0 && R < 1) sum(b) / max(1, deff)
    else sum(B > 0) * (qnorm(0.975) / q)^2
    # clustered: Korn & Graubard's Clopper-Pearson limits at the effective
    # size (survey::svyciprop(method = "beta")); one row per cluster: Wilson
    ci <- if (n > Kd && Kd >= 2)
      c(if (R > 0) qbeta(0.025, R * neff, neff - R * neff + 1) else 0,
        if (R < 1) qbeta(0.975, R * neff + 1, neff - R * neff) else 1)
    else wilson(R, neff)
    cat(sprintf("%-10s df %d n_eff %.17g interval %.17g %.17g\n", label, Kd - 1, neff, ci[1], ci[2]))
  } else {
    cat(sprintf("%-10s wald %.17g %.17g\n", label, R - q * sqrt(v), R + q * sqrt(v)))
    f <- exp(q * sqrt(v) / R)   # the delta method for log R
    cat(sprintf("%-10s log scale %.17g %.17g\n", label, R / f, R * f))
  }
}
for (b in 0:2) ratio(y * (band == b), as.numeric(band == b), sprintf("band%d", b))
ratio(y, rep(1, length(y)), "overall")
ratio(y * (band == 0), y, "recall")
# The same intervals from the survey package itself, where its rule and
# ours agree (a design effect of at least 1): band 0, overall, recall.
if (requireNamespace("survey", quietly = TRUE)) {
  des <- suppressWarnings(survey::svydesign(ids = ~cl, data = data.frame(cl, y, band)))
  beta <- function(f, d) attr(survey::svyciprop(f, d, method = "beta"), "ci")
  cat(sprintf("survey band0 %.17g %.17g\n", beta(~I(band == 0 & y == 1), subset(des, band == 0))[1],
              beta(~I(band == 0 & y == 1), subset(des, band == 0))[2]))
  cat(sprintf("survey overall %.17g %.17g\n", beta(~y, des)[1], beta(~y, des)[2]))
  cat(sprintf("survey recall %.17g %.17g\n", beta(~I(band == 0), subset(des, y == 1))[1],
              beta(~I(band == 0), subset(des, y == 1))[2]))
}
ratio((p - y)^2, rep(1, length(y)), "brier", FALSE)

# Recalibration: y ~ a + b logit(p) and y ~ 1 + offset(logit(p)). The
# design effect is vcovCL by cluster over vcovCL by row (both HC1, whose
# (n - 1) / (n - k) factors cancel); the clustered SE is the model SE times
# sqrt(max(1, deff)).
x <- qlogis(p); row <- seq_along(y)
f <- glm(y ~ x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
d <- diag(vcovCL(f, cluster = cl, type = "HC1")) / diag(vcovCL(f, cluster = row, type = "HC1"))
se <- sqrt(diag(vcov(f)))
cat(sprintf("calib coef %.17g %.17g\n", coef(f)[1], coef(f)[2]))
cat(sprintf("calib deff %.17g %.17g\n", d[1], d[2]))
cat(sprintf("calib se   %.17g %.17g\n", se[1] * sqrt(max(1, d[1])), se[2] * sqrt(max(1, d[2]))))
g <- glm(y ~ 1, offset = x, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
dg <- vcovCL(g, cluster = cl, type = "HC1")[1, 1] / vcovCL(g, cluster = row, type = "HC1")[1, 1]
cat(sprintf("citl coef %.17g deff %.17g se %.17g\n", coef(g)[1], dg,
            sqrt(vcov(g)[1, 1]) * sqrt(max(1, dg))))
