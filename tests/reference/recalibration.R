# recalibration.R - reference values for tests/unit/test_recalibration.c:
# the Platt (logistic) recalibration map glm(y ~ qlogis(p), binomial) on a
# small fixed data set, and the map applied to new probabilities.
# Run: Rscript tests/reference/recalibration.R
p <- c(0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20, 0.22, 0.25,
       0.28, 0.30, 0.33, 0.35, 0.40, 0.42, 0.45, 0.50, 0.55, 0.60,
       0.62, 0.65, 0.70, 0.72, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99)
y <- c(0, 0, 0, 1, 0, 0, 0, 0, 1, 0,
       0, 0, 1, 0, 0, 1, 0, 0, 1, 0,
       1, 0, 1, 0, 1, 1, 0, 1, 1, 1)
fit <- glm(y ~ qlogis(p), family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
options(digits = 17)
cat(sprintf("a = %.17g\nb = %.17g\n", coef(fit)[1], coef(fit)[2]))
newp <- c(1e-20, 0.01, 0.3, 0.5, 0.77, 1)
eps <- 1e-15
q <- pmin(pmax(newp, eps), 1 - eps)
cat(sprintf("p' = %.17g\n", plogis(coef(fit)[1] + coef(fit)[2] * qlogis(q))))
