# logreg_cluster.R - reference values for the cluster-robust inference tests
# (tests/unit/test_logreg_inference.c, tests/unit/test_fit.c
# test_dropped_interval): R glm(family = binomial) with
# sandwich::vcovCL(cluster = ~cl, type = "HC1"), and Wald statistics in the
# style of lmtest::coeftest(m, vcov = V): z = b / se, p = 2 pnorm(-|z|),
# CI = b -/+ qnorm(0.975) se (computed by hand: lmtest is not installed).
#
# Run from anywhere:  Rscript tests/reference/logreg_cluster.R
# The data set (60 rows, 15 clusters of 4, three sub-scores on 0-100) was
# drawn once from a random-intercept logistic model, seed 20261207, with
# s2 of the wrong (unhealthy) sign by construction; it is written out here
# and in the C tests so that no generator is involved.
suppressPackageStartupMessages(library(sandwich))
options(digits = 17)
ctl <- glm.control(epsilon = 1e-20, maxit = 100)
d <- data.frame(
  cl = rep(1:15, each = 4),
  s1 = c(33, 37, 24, 16, 83, 75, 72, 78, 32, 60, 47, 29, 36, 45, 61, 68, 74, 77, 82, 72, 58, 58, 29, 63, 40, 28, 29, 37, 58, 18, 42, 32, 63, 44, 56, 78, 38, 14, 19, 9, 76, 38, 40, 79, 49, 52, 47, 59, 50, 70, 61, 74, 68, 100, 67, 75, 60, 72, 57, 65),
  s2 = c(42, 46, 25, 10, 38, 9, 19, 7, 21, 51, 35, 40, 32, 60, 40, 58, 59, 60, 53, 40, 78, 65, 37, 61, 15, 11, 39, 46, 32, 34, 11, 21, 52, 42, 39, 44, 55, 54, 60, 62, 60, 89, 83, 56, 80, 24, 63, 40, 79, 80, 91, 100, 46, 27, 65, 45, 34, 18, 36, 34),
  s3 = c(53, 49, 74, 42, 80, 66, 68, 71, 58, 62, 76, 71, 50, 58, 72, 69, 63, 46, 51, 55, 72, 76, 59, 77, 24, 37, 37, 57, 80, 38, 51, 53, 73, 66, 39, 54, 39, 22, 39, 33, 21, 16, 37, 46, 68, 75, 70, 68, 15, 20, 7, 18, 49, 54, 63, 72, 20, 25, 36, 28),
  y = c(1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0))

show <- function(tag, m) {
  V <- vcovCL(m, cluster = ~cl, type = "HC1")
  b <- coef(m); se <- sqrt(diag(V)); z <- b / se
  cat(sprintf("== %s\n", tag))
  cat("coef     ", sprintf("%.17g", b), "\n")
  cat("naive_se ", sprintf("%.17g", sqrt(diag(vcov(m)))), "\n")
  cat("robust_se", sprintf("%.17g", se), "\n")
  cat("z        ", sprintf("%.17g", z), "\n")
  cat("p        ", sprintf("%.17g", 2 * pnorm(-abs(z))), "\n")
  cat("ci_low   ", sprintf("%.17g", b - qnorm(0.975) * se), "\n")
  cat("ci_high  ", sprintf("%.17g", b + qnorm(0.975) * se), "\n")
  invisible(V)
}
# summary.glm and vcovCL take the weights of glm's last iteration, which
# are those of the previous coefficients (off by ~1e-8 at convergence):
# standard errors then agree with the information at the optimum to only
# ~1e-10. Refitting from the converged coefficients makes that previous
# point the optimum itself, so the SEs are exact to ~1e-15.
polish <- function(f) {
  m <- glm(f, family = binomial, data = d, control = ctl)
  glm(f, family = binomial, data = d, control = ctl, start = coef(m))
}
# The unconstrained fit: s2 has the wrong sign (b > 0).
show("full", polish(y ~ s1 + s2 + s3))
# The constrained refit without s2, and the weights w = b / sum(b) with
# their delta-method intervals on the robust covariance.
m2 <- polish(y ~ s1 + s3)
V2 <- show("without_s2", m2)
b <- coef(m2)[-1]; B <- sum(b); Vb <- V2[-1, -1]
w <- b / B
for (k in seq_along(b)) {
  g <- (as.numeric(seq_along(b) == k) * B - b[k]) / B^2
  se <- sqrt(drop(t(g) %*% Vb %*% g))
  cat(sprintf("weight %s %.17g ci %.17g %.17g\n", names(b)[k], w[k],
              w[k] - qnorm(0.975) * se, w[k] + qnorm(0.975) * se))
}
