# metrics.R - R reference numbers for tests/unit/test_metrics.c and test_metrics_conventions.c (pROC, rms, hoslem.test).
#
# Run from the repository root:  Rscript tests/reference/metrics.R
# Needs pROC and rms (R 4.2.2, pROC 1.18.0, rms 6.5.0 when the numbers in the
# test were produced). ResourceSelection is not installed, so hoslem.test()
# is reproduced below from ResourceSelection 0.3-x (the computing lines of
# hoslem.test; its htest dressing is left out).
# Predictions come from fixed coefficients on the shared datasets, computed
# as 1 / (1 + exp(-eta)) with eta summed left to right, exactly as the C test.
suppressPackageStartupMessages({ library(pROC); library(rms) })
dir <- Sys.getenv("HC_SHARED_DATASETS", "../shared/datasets")
telco <- read.csv(file.path(dir, "telco/WA_Fn-UseC_-Telco-Customer-Churn.csv"))
bank <- read.csv(file.path(dir, "bank-churn/Churn_Modelling.csv"))

sets <- list(
  telco_a = list(y = as.numeric(telco$Churn == "Yes"),
                 eta = -1.6 + -0.055 * telco$tenure + 0.03 * telco$MonthlyCharges +
                       0.6 * telco$SeniorCitizen),
  telco_b = list(y = as.numeric(telco$Churn == "Yes"),
                 eta = 0.03 + -0.04 * telco$tenure),
  bank = list(y = bank$Exited,
              eta = -3.8 + 0.07 * bank$Age + -1.1 * bank$IsActiveMember +
                    0.5 * (bank$Balance / 1e5)))

hoslem.test <- function(x, y, g = 10) {   # ResourceSelection 0.3-x
  yhat <- y; y <- x
  qq <- unique(quantile(yhat, probs = seq(0, 1, 1/g)))
  cutyhat <- cut(yhat, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - y, y1 = y) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - yhat, yhat1 = yhat) ~ cutyhat)
  chisq <- sum((observed - expected)^2 / expected)
  list(statistic = chisq, parameter = g - 2, p.value = 1 - pchisq(chisq, g - 2))
}
out <- function(name, v) cat(sprintf("%-28s %.17g\n", name, v))

for (nm in names(sets)) {
  s <- sets[[nm]]; y <- s$y; p <- 1 / (1 + exp(-s$eta))
  cat("==", nm, " n =", length(y), " positives =", sum(y), "\n")
  r <- roc(y, p, levels = c(0, 1), direction = "<", quiet = TRUE)
  ci <- ci.auc(r, method = "delong")
  out("auc", as.numeric(auc(r))); out("delong_low", ci[1]); out("delong_high", ci[3])
  out("delong_se", sqrt(var(r, method = "delong")))
  v <- val.prob(p, y, pl = FALSE)
  for (k in c("Intercept", "Slope", "Emax", "Eavg", "E90", "Brier")) out(paste0("valprob_", k), v[[k]])
  lg <- qlogis(p)
  g2 <- glm(y ~ lg, binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  out("glm_intercept", coef(g2)[1]); out("glm_slope", coef(g2)[2])
  g1 <- glm(y ~ 1, binomial, offset = lg, control = glm.control(epsilon = 1e-14, maxit = 100))
  out("citl", coef(g1)[1]); out("citl_se", sqrt(vcov(g1)[1, 1]))
  h <- hoslem.test(y, p, 10)
  out("hl_chi2", h$statistic); out("hl_p", h$p.value)
  out("hl_p_upper_tail", pchisq(h$statistic, 8, lower.tail = FALSE))
  # Lowess of val.prob with R's own defaults (iter = 3) too, at 3 rows.
  sm3 <- approx(lowess(p, y), xout = p, ties = mean)$y
  out("lowess3_row1", sm3[1]); out("lowess3_row2", sm3[2]); out("lowess3_row100", sm3[100])
}

# Paired DeLong test, telco model a vs model b (same rows).
y <- sets$telco_a$y
ra <- roc(y, 1 / (1 + exp(-sets$telco_a$eta)), levels = c(0, 1), direction = "<", quiet = TRUE)
rb <- roc(y, 1 / (1 + exp(-sets$telco_b$eta)), levels = c(0, 1), direction = "<", quiet = TRUE)
t <- roc.test(ra, rb, method = "delong", paired = TRUE)
cat("== paired telco_a vs telco_b\n")
out("z", t$statistic); out("p", t$p.value); out("ci_low", t$conf.int[1]); out("ci_high", t$conf.int[2])

# Wilson intervals as prop.test(correct = FALSE) reports them.
cat("== wilson\n")
for (kn in list(c(0, 10), c(3, 10), c(10, 10), c(1869, 7043), c(2, 3), c(1, 2), c(1, 5))) {
  ci <- prop.test(kn[1], kn[2], correct = FALSE)$conf.int
  out(sprintf("wilson_%d_%d_low", kn[1], kn[2]), ci[1]); out(sprintf("wilson_%d_%d_high", kn[1], kn[2]), ci[2])
}
# A tiny lowess check against R's defaults (iter = 3) and val.prob's iter = 0.
x <- c(1, 2, 2, 3, 5, 8, 9, 11, 12, 15); yy <- c(0, 1, 0, 0, 1, 1, 0, 1, 1, 1)
cat("== lowess small\n")
cat("iter3", sprintf("%.17g", lowess(x, yy)$y), "\n")
cat("iter0", sprintf("%.17g", lowess(x, yy, iter = 0)$y), "\n")
# A small hand-made case with ties: DeLong CI and the paired test.
ys <- c(0, 0, 0, 1, 1, 1, 0, 1, 0, 1)
s1 <- c(1, 2, 2, 2, 3, 1, 4, 5, 3, 3)
s2 <- c(2, 1, 3, 3, 3, 2, 1, 4, 2, 5)
r1 <- roc(ys, s1, levels = c(0, 1), direction = "<", quiet = TRUE)
r2 <- roc(ys, s2, levels = c(0, 1), direction = "<", quiet = TRUE)
ci <- ci.auc(r1, method = "delong"); t <- roc.test(r1, r2, method = "delong", paired = TRUE)
cat("== small\n")
out("auc1", as.numeric(auc(r1))); out("auc2", as.numeric(auc(r2)))
out("ci_low", ci[1]); out("ci_high", ci[3])
out("z", t$statistic); out("p", t$p.value); out("diff_low", t$conf.int[1]); out("diff_high", t$conf.int[2])

# ---- audit items 3 and 4 (tests/unit/test_metrics_conventions.c) ----------
# Hosmer-Lemeshow with tied predictions: the groups of hoslem.test (above:
# breaks = unique(quantile(p, seq(0, 1, 1/10))), cut(include.lowest = TRUE)),
# but df = (non-empty groups) - 2 and the p-value by hand with pchisq, since
# ResourceSelection is not installable here (no Debian package) and
# hoslem.test itself would keep df = g - 2 = 8.
cat("== hl ties\n")
p <- c(rep(0.1, 12), rep(0.2, 10), rep(0.35, 10), rep(0.6, 8))
y <- c(rep(1, 2), rep(0, 10), rep(1, 2), rep(0, 8), rep(1, 4), rep(0, 6), rep(1, 5), rep(0, 3))
qq <- unique(quantile(p, probs = seq(0, 1, 1/10)))
grp <- cut(p, breaks = qq, include.lowest = TRUE)
obs <- xtabs(cbind(1 - y, y) ~ grp); ex <- xtabs(cbind(1 - p, p) ~ grp)
keep <- rowSums(obs) > 0
chisq <- sum(((obs - ex)^2 / ex)[keep, ])
g <- sum(keep)
out("hl_ties_groups", g); out("hl_ties_chi2", chisq)
out("hl_ties_p", pchisq(chisq, g - 2, lower.tail = FALSE))
out("hl_ties_p_df8", pchisq(chisq, 8, lower.tail = FALSE))
# Calibration slope and intercept with p = 0 and 1 clipped to
# [1e-15, 1 - 1e-15] (scikit-learn 1.2 log_loss's eps) before qlogis.
cat("== calibration clipped\n")
y <- c(0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1)
p <- c(0.0, 0.6, 0.3, 0.8, 0.4, 0.5, 1.0, 0.55, 0.0, 0.1, 0.2, 0.7)
lg <- qlogis(pmin(pmax(p, 1e-15), 1 - 1e-15))
g2 <- glm(y ~ lg, binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
g1 <- glm(y ~ 1, binomial, offset = lg, control = glm.control(epsilon = 1e-14, maxit = 100))
out("clip_intercept", coef(g2)[1]); out("clip_slope", coef(g2)[2])
out("clip_slope_se", sqrt(vcov(g2)[2, 2])); out("clip_citl", coef(g1)[1])
g0 <- glm(y ~ qlogis(p), binomial, subset = p > 0 & p < 1)
out("dropped_slope", coef(g0)[2])
